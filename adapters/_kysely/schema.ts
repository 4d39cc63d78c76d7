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

/** Columns of token_ledger_events in insert order (cost is `cost_pico` in SQLite, `cost_usd` in PostgreSQL). */
export function eventColumns(costColumn: "cost_pico" | "cost_usd"): readonly string[] {
  return [
    "id",
    "ts",
    "provider",
    "model",
    "requested_model",
    "operation",
    "streamed",
    "status",
    "error_type",
    "http_status",
    "error_message",
    "latency_ms",
    "ttft_ms",
    "request_id",
    "uncached_input_tokens",
    "cache_read_tokens",
    "cache_write_5m_tokens",
    "cache_write_1h_tokens",
    "output_tokens",
    "reasoning_tokens",
    "input_audio_tokens",
    "output_audio_tokens",
    "tier_basis_tokens",
    "web_search_requests",
    "usage_source",
    "service_tier",
    "batch",
    costColumn,
    "unpriced",
    "pricing_key",
    "user_id",
    "team_id",
    "project_id",
    "feature",
    "cost_center",
    "session_id",
    "trace_id",
    "environment",
    "app",
    "metadata",
    "sample_weight",
  ];
}
