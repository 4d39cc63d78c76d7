import type { KyselyStorage } from "./kysely-storage.js";
import type { MigrationStatus } from "./migrator.js";

/** Apply pending schema migrations (for the CLI `migrate` command); returns the names applied. */
export function migrateToLatest(storage: KyselyStorage): Promise<string[]> {
  return storage.migrateToLatest();
}

/** Applied and pending migration names, without changing anything. */
export function migrationStatus(storage: KyselyStorage): Promise<MigrationStatus> {
  return storage.migrationStatus();
}
