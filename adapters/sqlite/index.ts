/**
 * `tokenledger/sqlite`: the embedded SQLite ledger (better-sqlite3, loaded on first use).
 * @module
 */
export { sqliteStorage, SqliteStorage } from "./sqlite-storage.js";
export type {
  SqliteStorageOptions,
  SqliteDatabaseLike,
  SqliteStatementLike,
} from "./sqlite-storage-config.js";
export { SQLITE_VERSION_FLOOR } from "./sqlite-storage-config.js";
export { sqliteVersionWarning } from "./sqlite-version.js";
export { migrateToLatest, migrationStatus } from "../_kysely/migration-api.js";
export type { MigrationStatus } from "../_kysely/migrator.js";
