import { createRequire } from "node:module";
import { TokenLedgerConfigError } from "tokenledger/storage-kit";
import type { PgPoolLike } from "./postgres-storage-config.js";

export interface PgPoolConfig {
  connectionString: string;
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
