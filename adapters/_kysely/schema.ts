import type { Kysely } from "kysely";

/**
 * Table names. Columns are documented in adapters/SCHEMA.md; the SQL lives in the adapters' *-migrations.ts; the rollup
 * projections are declared in projections.ts.
 * Queries are written with kysely's `sql` template (shared across dialects), so the table
 * interfaces stay empty shells that only name the tables for Kysely.
 */
export const EVENTS_TABLE = "token_ledger_events";
export const HOURLY_TABLE = "token_ledger_hourly";
export const MIGRATION_TABLE = "token_ledger_migrations";
export const MIGRATION_LOCK_TABLE = "token_ledger_migrations_lock";

export interface LedgerDatabase {
  token_ledger_events: Record<string, unknown>;
  token_ledger_hourly: Record<string, unknown>;
  token_ledger_hourly_model: Record<string, unknown>;
  token_ledger_daily: Record<string, unknown>;
  token_ledger_daily_user: Record<string, unknown>;
}

export type LedgerDb = Kysely<LedgerDatabase>;

// Kept here for the adapters that import it from the schema; the list itself lives beside the values it takes.
export { eventColumns } from "./event-row.js";
