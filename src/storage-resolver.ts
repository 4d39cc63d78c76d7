import type { DatabaseTarget } from "./core/database-url.js";
import { TokenLedgerConfigError } from "./core/errors.js";
import type { StorageAdapter } from "./core/storage.js";

/**
 * Load the adapter for a resolved target. Adapters are separate entries (`tokenledger/sqlite`,
 * `tokenledger/postgres`) loaded on demand, so their drivers stay optional.
 */
export async function resolveStorage(target: DatabaseTarget): Promise<StorageAdapter> {
  switch (target.kind) {
    case "memory": {
      const { memoryStorage } = await import("tokenledger/memory");
      return memoryStorage();
    }
    case "sqlite": {
      const { sqliteStorage } = await import("tokenledger/sqlite");
      return sqliteStorage({ path: target.path });
    }
    case "postgres": {
      const { postgresStorage } = await import("tokenledger/postgres");
      return postgresStorage({ connectionString: target.url });
    }
    default:
      throw new TokenLedgerConfigError(`unsupported storage target ${JSON.stringify(target)}`);
  }
}
