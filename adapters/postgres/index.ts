/**
 * `tokenledger/postgres`: the PostgreSQL ledger (pg, loaded on first use).
 * @module
 */
export { postgresStorage, PostgresStorage } from "./postgres-storage.js";
export type { PostgresStorageOptions, PgPoolLike, PgClientLike } from "./postgres-storage-config.js";
export { migrateToLatest, migrationStatus } from "../_kysely/migration-api.js";
export type { MigrationStatus } from "../_kysely/migrator.js";
