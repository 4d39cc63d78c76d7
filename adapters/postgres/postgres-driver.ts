import { createRequire } from "node:module";
import { TokenLedgerConfigError } from "tokenledger/storage-kit";
import type { PgPoolLike } from "./postgres-storage-config.js";

export interface PgPoolConfig {
  /** Absent when the URL was parsed here already (its fields are then spread into the config). */
  connectionString?: string;
  max: number;
  connectionTimeoutMillis: number;
  idleTimeoutMillis: number;
  application_name: string;
  statement_timeout: number;
  query_timeout: number;
  /** Idle pooled connections must not keep the host process alive (P09). */
  allowExitOnIdle: boolean;
}

type PoolConstructor = new (config: PgPoolConfig) => PgPoolLike;

/** pg is an optional peer: loaded on first use, with an install hint when missing. */
export function loadPgPool(): PoolConstructor {
  const require = createRequire(import.meta.url);
  try {
    const pg = require("pg") as { Pool: PoolConstructor; default?: { Pool: PoolConstructor } };
    return pg.Pool ?? pg.default!.Pool;
  } catch (err) {
    if ((err as { code?: string }).code === "MODULE_NOT_FOUND") {
      throw new TokenLedgerConfigError('tokenledger/postgres needs the "pg" package: npm install pg', {
        cause: err,
      });
    }
    throw err;
  }
}

type ParseUrl = (url: string) => Record<string, unknown>;

/**
 * The URL as pg would parse it, with the parser's process warnings (e.g. pg-connection-string's "SECURITY
 * WARNING" about sslmode) handed to `onWarning` instead of printed to stderr by Node. Null when pg's parser
 * cannot be loaded (pg then parses the URL itself). Synchronous, so nothing else runs while emitWarning is
 * redirected.
 */
export function parsePgUrl(
  url: string,
  onWarning: (message: string) => void,
): Record<string, unknown> | null {
  let parse: ParseUrl;
  try {
    // pg's own dependency, resolved from pg so it is the copy pg would use.
    const fromPg = createRequire(createRequire(import.meta.url).resolve("pg"));
    parse = (fromPg("pg-connection-string") as { parse: ParseUrl }).parse;
  } catch {
    return null;
  }
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error) =>
    onWarning(typeof warning === "string" ? warning : warning.message)) as typeof process.emitWarning;
  try {
    return parse(url);
  } finally {
    process.emitWarning = emitWarning;
  }
}
