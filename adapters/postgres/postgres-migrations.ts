import type { SqlMigration } from "../_kysely/migrator.js";
import { projectionByTable } from "../_kysely/projections.js";
import { postgresProjectionSql } from "./postgres-projection-sql.js";
import { postgresProjectionDeleteSql } from "./postgres-projection-delete-sql.js";
import {
  budgetConfigRateMigration,
  budgetMigration,
  budgetRateUsdMigration,
  budgetCustomRangeMigration,
} from "../_kysely/budget-migration.js";
import {
  apiKeyMigration,
  postgresAuditMigration,
  postgresServerCountersMigration,
} from "../_kysely/server-migrations.js";
import { failoverMigration } from "../_kysely/failover-migration.js";

const DIMS = "provider, model, user_id, team_id, project_id, feature, cost_center, environment, app";
const KEYS = `date_trunc('hour', ts, 'UTC'), provider, model, coalesce(user_id, ''), coalesce(team_id, ''),
  coalesce(project_id, ''), coalesce(feature, ''), coalesce(cost_center, ''), coalesce(environment, ''), coalesce(app, '')`;
const MEASURES = `sum(sample_weight), count(*), sum(uncached_input_tokens * sample_weight), sum(cache_read_tokens * sample_weight),
  sum(cache_write_5m_tokens * sample_weight), sum(cache_write_1h_tokens * sample_weight),
  sum(output_tokens * sample_weight), sum(reasoning_tokens * sample_weight),
  coalesce(sum(round(cost_usd * sample_weight::numeric, 12)), 0),
  count(*) FILTER (WHERE unpriced), count(*) FILTER (WHERE status = 'error')`;

/** PostgreSQL schema steps for schema `s` (quoted identifier). Costs are NUMERIC(30,12) USD. */
export function postgresMigrations(schema: string): readonly SqlMigration[] {
  const s = `"${schema.replace(/"/g, '""')}"`;
  return [
    {
      name: "0001_events",
      up: [
        `CREATE SCHEMA IF NOT EXISTS ${s}`,
        `CREATE TABLE IF NOT EXISTS ${s}.token_ledger_events (
          id uuid PRIMARY KEY,
          ts timestamptz NOT NULL,
          provider text NOT NULL,
          model text NOT NULL,
          requested_model text,
          operation text NOT NULL,
          streamed boolean NOT NULL DEFAULT false,
          status text NOT NULL,
          error_type text,
          http_status integer,
          error_message text,
          latency_ms double precision,
          ttft_ms double precision,
          request_id text,
          uncached_input_tokens bigint NOT NULL DEFAULT 0,
          cache_read_tokens bigint NOT NULL DEFAULT 0,
          cache_write_5m_tokens bigint NOT NULL DEFAULT 0,
          cache_write_1h_tokens bigint NOT NULL DEFAULT 0,
          output_tokens bigint NOT NULL DEFAULT 0,
          reasoning_tokens bigint NOT NULL DEFAULT 0,
          input_audio_tokens bigint NOT NULL DEFAULT 0,
          output_audio_tokens bigint NOT NULL DEFAULT 0,
          tier_basis_tokens bigint NOT NULL DEFAULT 0,
          web_search_requests bigint NOT NULL DEFAULT 0,
          usage_source text NOT NULL,
          service_tier text,
          batch boolean NOT NULL DEFAULT false,
          cost_usd numeric(30, 12),
          unpriced boolean NOT NULL DEFAULT false,
          pricing_key text,
          user_id text,
          team_id text,
          project_id text,
          feature text,
          cost_center text,
          session_id text,
          trace_id text,
          environment text,
          app text,
          metadata jsonb,
          sample_weight double precision NOT NULL DEFAULT 1
        )`,
        `CREATE INDEX IF NOT EXISTS token_ledger_events_ts ON ${s}.token_ledger_events (ts, id)`,
        `CREATE INDEX IF NOT EXISTS token_ledger_events_user_ts ON ${s}.token_ledger_events (user_id, ts)`,
        `CREATE INDEX IF NOT EXISTS token_ledger_events_team_ts ON ${s}.token_ledger_events (team_id, ts)`,
        `CREATE INDEX IF NOT EXISTS token_ledger_events_unpriced ON ${s}.token_ledger_events (ts) WHERE unpriced`,
      ],
    },
    {
      name: "0002_hourly_rollup",
      up: [
        `CREATE TABLE IF NOT EXISTS ${s}.token_ledger_hourly (
          hour timestamptz NOT NULL,
          provider text NOT NULL, model text NOT NULL, user_id text NOT NULL, team_id text NOT NULL,
          project_id text NOT NULL, feature text NOT NULL, cost_center text NOT NULL,
          environment text NOT NULL, app text NOT NULL,
          requests double precision NOT NULL, events bigint NOT NULL,
          uncached_input_tokens double precision NOT NULL, cache_read_tokens double precision NOT NULL,
          cache_write_5m_tokens double precision NOT NULL, cache_write_1h_tokens double precision NOT NULL,
          output_tokens double precision NOT NULL, reasoning_tokens double precision NOT NULL,
          cost_usd numeric NOT NULL,
          unpriced_events bigint NOT NULL, error_events bigint NOT NULL,
          PRIMARY KEY (hour, ${DIMS})
        )`,
        // Statement-level trigger over the transition table: only rows really inserted (ON CONFLICT DO NOTHING
        // skips duplicates), aggregated once per batch, keys sorted so concurrent batches lock rows in one order.
        `CREATE OR REPLACE FUNCTION ${s}.token_ledger_rollup_insert() RETURNS trigger LANGUAGE plpgsql AS $fn$
        BEGIN
          INSERT INTO ${s}.token_ledger_hourly AS h
          SELECT ${KEYS}, ${MEASURES} FROM new_rows GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
          ON CONFLICT (hour, ${DIMS}) DO UPDATE SET
            requests = h.requests + EXCLUDED.requests, events = h.events + EXCLUDED.events,
            uncached_input_tokens = h.uncached_input_tokens + EXCLUDED.uncached_input_tokens,
            cache_read_tokens = h.cache_read_tokens + EXCLUDED.cache_read_tokens,
            cache_write_5m_tokens = h.cache_write_5m_tokens + EXCLUDED.cache_write_5m_tokens,
            cache_write_1h_tokens = h.cache_write_1h_tokens + EXCLUDED.cache_write_1h_tokens,
            output_tokens = h.output_tokens + EXCLUDED.output_tokens,
            reasoning_tokens = h.reasoning_tokens + EXCLUDED.reasoning_tokens,
            cost_usd = h.cost_usd + EXCLUDED.cost_usd,
            unpriced_events = h.unpriced_events + EXCLUDED.unpriced_events,
            error_events = h.error_events + EXCLUDED.error_events;
          RETURN NULL;
        END
        $fn$`,
        `DROP TRIGGER IF EXISTS token_ledger_rollup ON ${s}.token_ledger_events`,
        `CREATE TRIGGER token_ledger_rollup AFTER INSERT ON ${s}.token_ledger_events
          REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${s}.token_ledger_rollup_insert()`,
        `INSERT INTO ${s}.token_ledger_hourly SELECT ${KEYS}, ${MEASURES} FROM ${s}.token_ledger_events
          GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 ON CONFLICT DO NOTHING`,
      ],
    },
    {
      name: "0003_views",
      up: [
        `CREATE OR REPLACE VIEW ${s}.token_ledger_daily_costs AS
          SELECT (hour AT TIME ZONE 'UTC')::date AS day, provider, model, sum(requests) AS requests, sum(events) AS events,
            sum(uncached_input_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens) AS input_tokens,
            sum(output_tokens) AS output_tokens, sum(cost_usd) AS cost_usd,
            sum(unpriced_events) AS unpriced_events, sum(error_events) AS error_events
          FROM ${s}.token_ledger_hourly GROUP BY 1, 2, 3`,
        `CREATE OR REPLACE VIEW ${s}.token_ledger_user_costs AS
          SELECT (hour AT TIME ZONE 'UTC')::date AS day, nullif(user_id, '') AS user_id, nullif(team_id, '') AS team_id,
            sum(requests) AS requests, sum(events) AS events,
            sum(uncached_input_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens) AS input_tokens,
            sum(output_tokens) AS output_tokens, sum(cost_usd) AS cost_usd, sum(unpriced_events) AS unpriced_events
          FROM ${s}.token_ledger_hourly GROUP BY 1, 2, 3`,
      ],
    },
    {
      // Smaller rollups beside token_ledger_hourly (whose key is nearly one row per event at realistic
      // cardinality), backfilled from the stored events; the views now read them (same columns and types).
      name: "0004_rollup_projections",
      up: [
        ...["token_ledger_hourly_model", "token_ledger_daily", "token_ledger_daily_user"].flatMap((t) =>
          postgresProjectionSql(s, projectionByTable(t)),
        ),
        `CREATE OR REPLACE VIEW ${s}.token_ledger_daily_costs AS
          SELECT (hour AT TIME ZONE 'UTC')::date AS day, provider, model, sum(requests) AS requests, sum(events) AS events,
            sum(uncached_input_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens) AS input_tokens,
            sum(output_tokens) AS output_tokens, sum(cost_usd) AS cost_usd,
            sum(unpriced_events) AS unpriced_events, sum(error_events) AS error_events
          FROM ${s}.token_ledger_hourly_model GROUP BY 1, 2, 3`,
        `CREATE OR REPLACE VIEW ${s}.token_ledger_user_costs AS
          SELECT (day AT TIME ZONE 'UTC')::date AS day, nullif(user_id, '') AS user_id, nullif(team_id, '') AS team_id,
            sum(requests) AS requests, sum(events) AS events,
            sum(uncached_input_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens) AS input_tokens,
            sum(output_tokens) AS output_tokens, sum(cost_usd) AS cost_usd, sum(unpriced_events) AS unpriced_events
          FROM ${s}.token_ledger_daily_user GROUP BY 1, 2, 3`,
      ],
    },
    {
      // The quota monitor's history: one row per change of (provider, account, window); amounts as decimal text.
      name: "0013_quota_snapshots",
      up: [
        `CREATE TABLE IF NOT EXISTS ${s}.token_ledger_quota_snapshots (
          id BIGSERIAL PRIMARY KEY,
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
          fetched_ms BIGINT NOT NULL,
          content_hash TEXT NOT NULL
        )`,
        `CREATE INDEX IF NOT EXISTS token_ledger_quota_snapshots_series
          ON ${s}.token_ledger_quota_snapshots (provider, account_id, quota_window, id)`,
      ],
    },
    {
      // Deleting an event takes it back out of every rollup: imports revise provisional rows (replaceBatch).
      name: "0015_rollup_delete_triggers",
      up: [
        ...[
          "token_ledger_hourly",
          "token_ledger_hourly_model",
          "token_ledger_daily",
          "token_ledger_daily_user",
        ].flatMap((t) => postgresProjectionDeleteSql(s, projectionByTable(t))),
      ],
    },
    budgetMigration(`${s}.`, "NUMERIC(30,12)", "BIGINT"),
    apiKeyMigration(`${s}.`, "BIGINT"),
    postgresAuditMigration(s),
    budgetConfigRateMigration(`${s}.`, "BIGINT"),
    failoverMigration(`${s}.`, "BIGINT"),
    {
      // The provider's response id and finish reasons (a JSON array as text, as in SQLite), for gen_ai.response.*.
      name: "0021_response_id_finish_reasons",
      up: [
        `ALTER TABLE ${s}.token_ledger_events ADD COLUMN IF NOT EXISTS response_id text`,
        `ALTER TABLE ${s}.token_ledger_events ADD COLUMN IF NOT EXISTS finish_reasons text`,
      ],
    },
    postgresServerCountersMigration(s),
    budgetRateUsdMigration(`${s}.`, "BIGINT"),
    budgetCustomRangeMigration(`${s}.`),
  ];
}
