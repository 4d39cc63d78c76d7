import type { DatabaseTarget } from "./core/database-url.js";
import { TokenLedgerConfigError } from "./core/errors.js";
import type { StorageAdapter } from "./core/storage.js";

/**
 * Load the adapter for a resolved target. Adapters are separate entries (`tokenledger/sqlite`,
 * `tokenledger/postgres`, `tokenledger/http`) loaded on demand, so their drivers stay optional.
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
    case "http": {
      // Write-only remote ingest; the key comes from TOKENLEDGER_API_KEY (pass httpStorage({ apiKey }) to set it in code).
      const { httpStorage } = await import("tokenledger/http");
      return httpStorage({ url: target.url });
    }
    default:
      throw new TokenLedgerConfigError(`unsupported storage target ${JSON.stringify(target)}`);
  }
}
