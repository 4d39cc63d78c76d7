import type { SqlMigration } from "./migrator.js";

/**
 * 0016_budgets, the same tables in both stores. `money`: the column type of USD amounts (SQLite keeps exact
 * decimal text and compares with decimal.js inside BEGIN IMMEDIATE; PostgreSQL NUMERIC compares in SQL).
 * `t`: table prefix (the schema in PostgreSQL).
 */
export function budgetMigration(t: string, money: string, bigint: string): SqlMigration {
  return {
    name: "0016_budgets",
    up: [
      `CREATE TABLE IF NOT EXISTS ${t}token_ledger_budgets (
        id TEXT PRIMARY KEY,
        scope TEXT NOT NULL,
        scope_id TEXT NOT NULL,
        period TEXT NOT NULL,
        time_zone TEXT NOT NULL,
        week_start INTEGER NOT NULL DEFAULT 1,
        amount_usd ${money} NOT NULL,
        action TEXT NOT NULL,
        thresholds TEXT NOT NULL,
        downgrade_map TEXT NOT NULL,
        updated_ms ${bigint} NOT NULL
      )`,
      `CREATE TABLE IF NOT EXISTS ${t}token_ledger_budget_counters (
        budget_id TEXT NOT NULL,
        period_key TEXT NOT NULL,
        spent_usd ${money} NOT NULL DEFAULT 0,
        reserved_usd ${money} NOT NULL DEFAULT 0,
        PRIMARY KEY (budget_id, period_key)
      )`,
      `CREATE TABLE IF NOT EXISTS ${t}token_ledger_budget_reservations (
        id TEXT NOT NULL,
        budget_id TEXT NOT NULL,
        period_key TEXT NOT NULL,
        amount_usd ${money} NOT NULL,
        expires_ms ${bigint} NOT NULL,
        state TEXT NOT NULL,
        PRIMARY KEY (id, budget_id)
      )`,
      `CREATE INDEX IF NOT EXISTS token_ledger_budget_reservations_open
        ON ${t}token_ledger_budget_reservations (budget_id, period_key, state, expires_ms)`,
      `CREATE TABLE IF NOT EXISTS ${t}token_ledger_budget_alerts (
        budget_id TEXT NOT NULL,
        period_key TEXT NOT NULL,
        threshold DOUBLE PRECISION NOT NULL,
        channel TEXT NOT NULL,
        payload TEXT NOT NULL,
        claimed_ms ${bigint} NOT NULL,
        next_attempt_ms ${bigint} NOT NULL,
        lease_until_ms ${bigint},
        delivered_ms ${bigint},
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        acked_by TEXT,
        acked_ms ${bigint},
        PRIMARY KEY (budget_id, period_key, threshold, channel)
      )`,
    ],
  };
}

/**
 * 0023_budget_rate_usd: the estimated USD each `rate_limit` minute has used, in whole micro-dollars (integers
 * compare exactly in one conditional upsert on both stores; SQLite's TEXT money would compare as floats there).
 */
export function budgetRateUsdMigration(t: string, bigint: string): SqlMigration {
  return {
    name: "0023_budget_rate_usd",
    up: [
      `ALTER TABLE ${t}token_ledger_budget_rate_windows ADD COLUMN usd_micros ${bigint} NOT NULL DEFAULT 0`,
    ],
  };
}

/**
 * 0019_budget_config_rate: which config file declares a budget (`managed_by`, null when set through the CLI or
 * SDK), its per-minute rate limits (`rate_limit` JSON), and the per-minute usage windows of `rate_limit`
 * budgets (one row per budget and minute; the conditional upsert on it is the cross-process limiter).
 */
export function budgetConfigRateMigration(t: string, bigint: string): SqlMigration {
  return {
    name: "0019_budget_config_rate",
    up: [
      `ALTER TABLE ${t}token_ledger_budgets ADD COLUMN managed_by TEXT`,
      `ALTER TABLE ${t}token_ledger_budgets ADD COLUMN rate_limit TEXT`,
      `CREATE TABLE IF NOT EXISTS ${t}token_ledger_budget_rate_windows (
        budget_id TEXT NOT NULL,
        window_ms ${bigint} NOT NULL,
        requests INTEGER NOT NULL,
        tokens ${bigint} NOT NULL,
        PRIMARY KEY (budget_id, window_ms)
      )`,
    ],
  };
}

/**
 * 0024_budget_custom_range: a `custom` budget's range, as the local date/datetime text it was given (read in the
 * budget's time_zone; end exclusive). Null for calendar periods.
 */
export function budgetCustomRangeMigration(t: string): SqlMigration {
  return {
    name: "0024_budget_custom_range",
    up: [
      `ALTER TABLE ${t}token_ledger_budgets ADD COLUMN range_start TEXT`,
      `ALTER TABLE ${t}token_ledger_budgets ADD COLUMN range_end TEXT`,
    ],
  };
}
