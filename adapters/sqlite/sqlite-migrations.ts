import type { SqlMigration } from "../_kysely/migrator.js";
import { PROJECTIONS, projectionByTable } from "../_kysely/projections.js";
import { sqliteProjectionSql, sqliteRollupTrigger } from "./sqlite-projection-sql.js";
import {
  budgetConfigRateMigration,
  budgetMigration,
  budgetRateUsdMigration,
  budgetCustomRangeMigration,
} from "../_kysely/budget-migration.js";
import {
  apiKeyMigration,
  sqliteAuditMigration,
  sqliteServerCountersMigration,
} from "../_kysely/server-migrations.js";
import { failoverMigration } from "../_kysely/failover-migration.js";

const DIMS = "provider, model, user_id, team_id, project_id, feature, cost_center, environment, app";
// Weighted cost in pico-dollars: exact for weight 1 (the common case), rounded per event otherwise.
const weighted = (p: string) =>
  `CASE WHEN ${p}sample_weight = 1 THEN ${p}cost_pico ELSE CAST(round(${p}cost_pico * ${p}sample_weight) AS INTEGER) END`;

/** SQLite schema steps. Costs are INTEGER pico-dollars (USD × 10^12); time is INTEGER epoch milliseconds. */
export const SQLITE_MIGRATIONS: readonly SqlMigration[] = [
  {
    name: "0001_events",
    up: [
      `CREATE TABLE IF NOT EXISTS token_ledger_events (
        id TEXT PRIMARY KEY NOT NULL,
        ts INTEGER NOT NULL,
        provider TEXT NOT NULL,
        model TEXT NOT NULL,
        requested_model TEXT,
        operation TEXT NOT NULL,
        streamed INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL,
        error_type TEXT,
        http_status INTEGER,
        error_message TEXT,
        latency_ms REAL,
        ttft_ms REAL,
        request_id TEXT,
        uncached_input_tokens INTEGER NOT NULL DEFAULT 0,
        cache_read_tokens INTEGER NOT NULL DEFAULT 0,
        cache_write_5m_tokens INTEGER NOT NULL DEFAULT 0,
        cache_write_1h_tokens INTEGER NOT NULL DEFAULT 0,
        output_tokens INTEGER NOT NULL DEFAULT 0,
        reasoning_tokens INTEGER NOT NULL DEFAULT 0,
        input_audio_tokens INTEGER NOT NULL DEFAULT 0,
        output_audio_tokens INTEGER NOT NULL DEFAULT 0,
        tier_basis_tokens INTEGER NOT NULL DEFAULT 0,
        web_search_requests INTEGER NOT NULL DEFAULT 0,
        usage_source TEXT NOT NULL,
        service_tier TEXT,
        batch INTEGER NOT NULL DEFAULT 0,
        cost_pico INTEGER,
        unpriced INTEGER NOT NULL DEFAULT 0,
        pricing_key TEXT,
        user_id TEXT,
        team_id TEXT,
        project_id TEXT,
        feature TEXT,
        cost_center TEXT,
        session_id TEXT,
        trace_id TEXT,
        environment TEXT,
        app TEXT,
        metadata TEXT,
        sample_weight REAL NOT NULL DEFAULT 1
      )`,
      `CREATE INDEX IF NOT EXISTS token_ledger_events_ts ON token_ledger_events (ts, id)`,
      `CREATE INDEX IF NOT EXISTS token_ledger_events_user_ts ON token_ledger_events (user_id, ts)`,
      `CREATE INDEX IF NOT EXISTS token_ledger_events_team_ts ON token_ledger_events (team_id, ts)`,
      `CREATE INDEX IF NOT EXISTS token_ledger_events_unpriced ON token_ledger_events (ts) WHERE unpriced`,
    ],
  },
  {
    name: "0002_hourly_rollup",
    up: [
      `CREATE TABLE IF NOT EXISTS token_ledger_hourly (
        hour INTEGER NOT NULL,
        provider TEXT NOT NULL, model TEXT NOT NULL, user_id TEXT NOT NULL, team_id TEXT NOT NULL,
        project_id TEXT NOT NULL, feature TEXT NOT NULL, cost_center TEXT NOT NULL,
        environment TEXT NOT NULL, app TEXT NOT NULL,
        requests REAL NOT NULL, events INTEGER NOT NULL,
        uncached_input_tokens REAL NOT NULL, cache_read_tokens REAL NOT NULL,
        cache_write_5m_tokens REAL NOT NULL, cache_write_1h_tokens REAL NOT NULL,
        output_tokens REAL NOT NULL, reasoning_tokens REAL NOT NULL,
        cost_q INTEGER NOT NULL, cost_r INTEGER NOT NULL,
        unpriced_events INTEGER NOT NULL, error_events INTEGER NOT NULL,
        PRIMARY KEY (hour, ${DIMS})
      ) WITHOUT ROWID`,
      // Fires only for rows actually inserted, so INSERT OR IGNORE / ON CONFLICT DO NOTHING never double counts.
      `CREATE TRIGGER IF NOT EXISTS token_ledger_rollup AFTER INSERT ON token_ledger_events BEGIN
        INSERT INTO token_ledger_hourly (hour, ${DIMS}, requests, events, uncached_input_tokens, cache_read_tokens,
          cache_write_5m_tokens, cache_write_1h_tokens, output_tokens, reasoning_tokens, cost_q, cost_r,
          unpriced_events, error_events)
        VALUES (NEW.ts - NEW.ts % 3600000, NEW.provider, NEW.model, coalesce(NEW.user_id, ''), coalesce(NEW.team_id, ''),
          coalesce(NEW.project_id, ''), coalesce(NEW.feature, ''), coalesce(NEW.cost_center, ''),
          coalesce(NEW.environment, ''), coalesce(NEW.app, ''),
          NEW.sample_weight, 1,
          NEW.uncached_input_tokens * NEW.sample_weight, NEW.cache_read_tokens * NEW.sample_weight,
          NEW.cache_write_5m_tokens * NEW.sample_weight, NEW.cache_write_1h_tokens * NEW.sample_weight,
          NEW.output_tokens * NEW.sample_weight, NEW.reasoning_tokens * NEW.sample_weight,
          coalesce(${weighted("NEW.")} / 1000000000, 0), coalesce(${weighted("NEW.")} % 1000000000, 0),
          NEW.unpriced, NEW.status = 'error')
        ON CONFLICT (hour, ${DIMS}) DO UPDATE SET
          requests = requests + excluded.requests, events = events + 1,
          uncached_input_tokens = uncached_input_tokens + excluded.uncached_input_tokens,
          cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens,
          cache_write_5m_tokens = cache_write_5m_tokens + excluded.cache_write_5m_tokens,
          cache_write_1h_tokens = cache_write_1h_tokens + excluded.cache_write_1h_tokens,
          output_tokens = output_tokens + excluded.output_tokens,
          reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens,
          cost_q = cost_q + excluded.cost_q, cost_r = cost_r + excluded.cost_r,
          unpriced_events = unpriced_events + excluded.unpriced_events,
          error_events = error_events + excluded.error_events;
      END`,
      // Backfill events stored before this step (none on a fresh ledger).
      `INSERT INTO token_ledger_hourly
        SELECT ts - ts % 3600000, provider, model, coalesce(user_id, ''), coalesce(team_id, ''), coalesce(project_id, ''),
          coalesce(feature, ''), coalesce(cost_center, ''), coalesce(environment, ''), coalesce(app, ''),
          sum(sample_weight), count(*), sum(uncached_input_tokens * sample_weight), sum(cache_read_tokens * sample_weight),
          sum(cache_write_5m_tokens * sample_weight), sum(cache_write_1h_tokens * sample_weight),
          sum(output_tokens * sample_weight), sum(reasoning_tokens * sample_weight),
          coalesce(sum(${weighted("")} / 1000000000), 0), coalesce(sum(${weighted("")} % 1000000000), 0),
          sum(unpriced), sum(status = 'error')
        FROM token_ledger_events WHERE true GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10`,
    ],
  },
  {
    name: "0003_views",
    up: [
      // cost_usd as exact text with 12 decimals, from the pico total (q·10^9 + r).
      `CREATE VIEW IF NOT EXISTS token_ledger_daily_costs AS
        SELECT day, provider, model, requests, events, input_tokens, output_tokens,
          printf('%d.%012d', pico / 1000000000000, pico % 1000000000000) AS cost_usd, unpriced_events, error_events
        FROM (SELECT date(hour / 1000, 'unixepoch') AS day, provider, model, sum(requests) AS requests, sum(events) AS events,
          sum(uncached_input_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens) AS input_tokens,
          sum(output_tokens) AS output_tokens, sum(cost_q) * 1000000000 + sum(cost_r) AS pico,
          sum(unpriced_events) AS unpriced_events, sum(error_events) AS error_events
          FROM token_ledger_hourly GROUP BY 1, 2, 3)`,
      `CREATE VIEW IF NOT EXISTS token_ledger_user_costs AS
        SELECT day, user_id, team_id, requests, events, input_tokens, output_tokens,
          printf('%d.%012d', pico / 1000000000000, pico % 1000000000000) AS cost_usd, unpriced_events
        FROM (SELECT date(hour / 1000, 'unixepoch') AS day, nullif(user_id, '') AS user_id, nullif(team_id, '') AS team_id,
          sum(requests) AS requests, sum(events) AS events,
          sum(uncached_input_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens) AS input_tokens,
          sum(output_tokens) AS output_tokens, sum(cost_q) * 1000000000 + sum(cost_r) AS pico,
          sum(unpriced_events) AS unpriced_events
          FROM token_ledger_hourly GROUP BY 1, 2, 3)`,
    ],
  },
  {
    // Smaller rollups beside token_ledger_hourly (whose key is nearly one row per event at realistic cardinality),
    // backfilled from the stored events; the views now read them.
    name: "0004_rollup_projections",
    up: [
      ...["token_ledger_hourly_model", "token_ledger_daily", "token_ledger_daily_user"].flatMap((t) =>
        sqliteProjectionSql(projectionByTable(t)),
      ),
      `DROP VIEW IF EXISTS token_ledger_daily_costs`,
      `CREATE VIEW token_ledger_daily_costs AS
        SELECT day, provider, model, requests, events, input_tokens, output_tokens,
          printf('%d.%012d', pico / 1000000000000, pico % 1000000000000) AS cost_usd, unpriced_events, error_events
        FROM (SELECT date(hour / 1000, 'unixepoch') AS day, provider, model, sum(requests) AS requests, sum(events) AS events,
          sum(uncached_input_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens) AS input_tokens,
          sum(output_tokens) AS output_tokens, sum(cost_q) * 1000000000 + sum(cost_r) AS pico,
          sum(unpriced_events) AS unpriced_events, sum(error_events) AS error_events
          FROM token_ledger_hourly_model GROUP BY 1, 2, 3)`,
      `DROP VIEW IF EXISTS token_ledger_user_costs`,
      `CREATE VIEW token_ledger_user_costs AS
        SELECT day, user_id, team_id, requests, events, input_tokens, output_tokens,
          printf('%d.%012d', pico / 1000000000000, pico % 1000000000000) AS cost_usd, unpriced_events
        FROM (SELECT date(day / 1000, 'unixepoch') AS day, nullif(user_id, '') AS user_id, nullif(team_id, '') AS team_id,
          sum(requests) AS requests, sum(events) AS events,
          sum(uncached_input_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens) AS input_tokens,
          sum(output_tokens) AS output_tokens, sum(cost_q) * 1000000000 + sum(cost_r) AS pico,
          sum(unpriced_events) AS unpriced_events
          FROM token_ledger_daily_user GROUP BY 1, 2, 3)`,
    ],
  },
  {
    // Per-row triggers cost ~2.7× the bare insert: the adapter now upserts each projection once per batch, in the
    // batch's transaction (see SqliteStorage). The tables and their rows are unchanged.
    name: "0005_rollups_by_adapter",
    up: PROJECTIONS.map((p) => `DROP TRIGGER IF EXISTS ${sqliteRollupTrigger(p)}`),
  },
  {
    // The quota monitor's history: one row per change of (provider, account, window); amounts as decimal text.
    name: "0013_quota_snapshots",
    up: [
      `CREATE TABLE IF NOT EXISTS token_ledger_quota_snapshots (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        provider TEXT NOT NULL,
        account_id TEXT NOT NULL,
        quota_window TEXT NOT NULL,
        used TEXT,
        limit_amount TEXT,
        unit TEXT NOT NULL,
        unlimited INTEGER NOT NULL DEFAULT 0,
        reset_at TEXT,
        source TEXT NOT NULL,
        note TEXT,
        fetched_ms INTEGER NOT NULL,
        content_hash TEXT NOT NULL
      )`,
      `CREATE INDEX IF NOT EXISTS token_ledger_quota_snapshots_series
        ON token_ledger_quota_snapshots (provider, account_id, quota_window, id)`,
    ],
  },
  budgetMigration("", "TEXT", "INTEGER"),
  apiKeyMigration("", "INTEGER"),
  sqliteAuditMigration(),
  budgetConfigRateMigration("", "INTEGER"),
  failoverMigration("", "INTEGER"),
  {
    // The provider's response id and finish reasons (a JSON array), for OpenTelemetry's gen_ai.response.* attributes.
    name: "0021_response_id_finish_reasons",
    up: [
      "ALTER TABLE token_ledger_events ADD COLUMN response_id TEXT",
      "ALTER TABLE token_ledger_events ADD COLUMN finish_reasons TEXT",
    ],
  },
  sqliteServerCountersMigration(),
  budgetRateUsdMigration("", "INTEGER"),
  budgetCustomRangeMigration(""),
];
