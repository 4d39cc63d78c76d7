import { createRequire } from "node:module";
import { TokenLedgerConfigError } from "tokenledger/storage-kit";
import type { SqliteDatabaseLike } from "./sqlite-storage-config.js";

type DatabaseConstructor = new (path: string, options?: { timeout?: number }) => SqliteDatabaseLike;

/** better-sqlite3 is an optional peer: loaded on first use, with an install hint when missing. */
export function loadBetterSqlite3(): DatabaseConstructor {
  const require = createRequire(import.meta.url);
  try {
    const mod = require("better-sqlite3") as DatabaseConstructor | { default: DatabaseConstructor };
    return typeof mod === "function" ? mod : mod.default;
  } catch (err) {
    if ((err as { code?: string }).code === "MODULE_NOT_FOUND") {
      throw new TokenLedgerConfigError(
        'tokenledger/sqlite needs the "better-sqlite3" package (>= 12.8.0): npm install better-sqlite3',
        { cause: err },
      );
    }
    const message = String((err as Error)?.message ?? err);
    if ((err as { code?: string }).code === "ERR_DLOPEN_FAILED" || message.includes("NODE_MODULE_VERSION")) {
      throw new TokenLedgerConfigError(
        `better-sqlite3 is installed but was built for a different Node.js than this one (${process.version}), ` +
          "so the SQLite ledger cannot open. Fix: npm rebuild better-sqlite3\n" +
          message,
        { cause: err },
      );
    }
    throw err;
  }
}
