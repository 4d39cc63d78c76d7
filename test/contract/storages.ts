import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StorageAdapter } from "tokenledger";
import { memoryStorage } from "tokenledger/memory";
import { postgresStorage } from "tokenledger/postgres";
import { sqliteStorage } from "tokenledger/sqlite";
import { dropSchema, pgUrl, uniqueSchema } from "../helpers/pg.js";

export interface StorageFactory {
  readonly name: "memory" | "sqlite" | "postgres";
  /** Null when the backend is unavailable here (the global setup printed why). */
  readonly available: boolean;
  /** A fresh, initialised, empty ledger. */
  create(): Promise<StorageAdapter>;
  /** Close everything created and remove files / schemas. */
  cleanup(): Promise<void>;
}

function tracked(
  name: StorageFactory["name"],
  available: boolean,
  make: () => StorageAdapter,
  after: () => Promise<void>,
): StorageFactory {
  const made: StorageAdapter[] = [];
  return {
    name,
    available,
    async create() {
      const s = make();
      made.push(s);
      await s.init();
      return s;
    },
    async cleanup() {
      for (const s of made.splice(0)) await s.close();
      await after();
    },
  };
}

/** memory, sqlite (temp file) and postgres (a fresh schema per ledger); filter with STORAGES=sqlite,postgres. */
export function storageFactories(): StorageFactory[] {
  const wanted = (process.env.STORAGES ?? "memory,sqlite,postgres").split(",").map((s) => s.trim());
  const dir = mkdtempSync(join(tmpdir(), "tl-contract-"));
  let n = 0;
  const url = pgUrl();
  const schemas: string[] = [];
  const all = [
    tracked(
      "memory",
      true,
      () => memoryStorage(),
      async () => {},
    ),
    tracked(
      "sqlite",
      true,
      () => sqliteStorage({ path: join(dir, `ledger-${n++}.db`) }),
      async () => rmSync(dir, { recursive: true, force: true }),
    ),
    tracked(
      "postgres",
      url !== null,
      () => {
        const schema = uniqueSchema("tl_contract");
        schemas.push(schema);
        return postgresStorage({ connectionString: url!, schema });
      },
      async () => {
        for (const s of schemas.splice(0)) await dropSchema(url!, s);
      },
    ),
  ];
  return all.filter((f) => wanted.includes(f.name));
}
