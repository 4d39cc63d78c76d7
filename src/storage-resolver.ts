import type { DatabaseTarget } from "./core/database-url.js";
import { TokenLedgerConfigError } from "./core/errors.js";
import type { StorageAdapter } from "./core/storage.js";
import { STORAGE_BACKENDS } from "./storage-backends.js";

/**
 * Load the adapter for a resolved target from the backend registry. Adapters are separate entries
 * (`tokenledger/sqlite`, `tokenledger/postgres`) loaded on demand, so their drivers stay optional.
 */
export async function resolveStorage(target: DatabaseTarget): Promise<StorageAdapter> {
  const backend = STORAGE_BACKENDS.find((b) => b.kind === target.kind);
  if (!backend) throw new TokenLedgerConfigError(`unsupported storage target ${JSON.stringify(target)}`);
  return backend.open(target);
}
