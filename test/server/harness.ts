import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { createPricer } from "../../src/pricing/index.js";
import { createServer, type ServerOptions } from "../../src/server/app.js";
import { createApiKey } from "../../src/server/auth/key-service.js";
import { asServerStorage, type ServerStorage } from "../../src/server/ports.js";
import type { Scope } from "../../src/server/schemas/principal.js";
import { postgresStorage } from "tokenledger/postgres";
import { sqliteStorage } from "tokenledger/sqlite";
import { dropSchema, uniqueSchema } from "../helpers/pg.js";

export interface Backend {
  readonly name: "sqlite" | "postgres";
  /** PostgreSQL: the test's own schema. */
  readonly schema?: string;
  open(): Promise<ServerStorage>;
  cleanup(): Promise<void>;
}

export function sqliteBackend(): Backend {
  const dir = mkdtempSync(join(tmpdir(), "tl-server-"));
  return {
    name: "sqlite",
    async open() {
      const s = asServerStorage(sqliteStorage({ path: join(dir, "ledger.db") }))!;
      await s.init();
      return s;
    },
    async cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function postgresBackend(url: string): Backend {
  const schema = uniqueSchema("tl_server");
  return {
    name: "postgres",
    schema,
    async open() {
      const s = asServerStorage(postgresStorage({ connectionString: url, schema }))!;
      await s.init();
      return s;
    },
    cleanup: () => dropSchema(url, schema),
  };
}

export interface TestServer {
  readonly app: FastifyInstance;
  readonly storage: ServerStorage;
  /** Create a key; returns its bearer token and id. */
  key(role: string, scope?: Scope, userId?: string | null): Promise<{ token: string; id: string }>;
  close(): Promise<void>;
}

export async function startServer(
  backend: Backend,
  extra: Partial<Omit<ServerOptions, "storage" | "pricer">> = {},
): Promise<TestServer> {
  const storage = await backend.open();
  const app = await createServer({ storage, pricer: createPricer(), ...extra });
  await app.ready();
  return {
    app,
    storage,
    async key(role, scope = { kind: "org" }, userId = null) {
      const r = await createApiKey(
        storage.access,
        storage.audit,
        { name: `${role}-key`, role, scope, userId },
        "test",
      );
      return { token: r.token, id: r.key.id };
    },
    close: () => app.close(),
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A wire event (LedgerEvent JSON) with sensible defaults. */
export function wireEvent(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: randomUUID(),
    timestamp: new Date(Date.now() - 3600_000).toISOString(),
    provider: "openai",
    model: "gpt-4o-mini",
    usage: { uncachedInputTokens: 1000, outputTokens: 500 },
    ...over,
  };
}

/** A fixed, readable event id: `uid("a-1")` is the same UUID every time. */
export function uid(name: string): string {
  const hex = Buffer.from(name).toString("hex").padStart(12, "0").slice(-12);
  return `00000000-0000-7000-8000-${hex}`;
}
