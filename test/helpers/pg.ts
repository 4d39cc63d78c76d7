import { randomBytes } from "node:crypto";
import pg from "pg";
import { describe, inject } from "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    /** PostgreSQL URL the global setup reached, or null when Postgres tests must skip. */
    pgUrl: string | null;
  }
}

export const DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/test";

export function configuredPgUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.TOKENLEDGER_TEST_PG_URL || DEFAULT_PG_URL;
}

/** Connects once; resolves to an error message when the server cannot be reached. */
export async function probePostgres(url: string, timeoutMs = 3000): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    await client.query("select 1");
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    await client.end().catch(() => {});
  }
}

/** The URL provided by test/global-setup.ts, or null when Postgres is unavailable. */
export function pgUrl(): string | null {
  return inject("pgUrl");
}

/** `describe` that skips (the global setup already printed why) when Postgres is unavailable. */
export function describePg(name: string, fn: () => void): void {
  describe.skipIf(pgUrl() === null)(`${name} [postgres]`, fn);
}

/** A unique schema name for one test file run; drop it with `dropSchema`. */
export function uniqueSchema(prefix = "tl_test"): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString("hex")}`;
}

export async function pgQuery<T extends pg.QueryResultRow = pg.QueryResultRow>(
  url: string,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, params)).rows;
  } finally {
    await client.end();
  }
}

export async function dropSchema(url: string, schema: string): Promise<void> {
  await pgQuery(url, `drop schema if exists "${schema}" cascade`);
}

/** Alias of `pgUrl()` used by other suites: the reachable test database URL, or null. */
export const pgTestUrl = pgUrl;
