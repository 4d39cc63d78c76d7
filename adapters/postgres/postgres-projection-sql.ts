import { EVENT_COLUMN } from "../_shared/dimensions.js";
import type { Projection } from "../_kysely/projections.js";

const MEASURE_COLUMNS = `requests, events, uncached_input_tokens, cache_read_tokens, cache_write_5m_tokens, cache_write_1h_tokens,
  output_tokens, reasoning_tokens, cost_usd, unpriced_events, error_events`;
const MEASURES = `sum(sample_weight), count(*), sum(uncached_input_tokens * sample_weight), sum(cache_read_tokens * sample_weight),
  sum(cache_write_5m_tokens * sample_weight), sum(cache_write_1h_tokens * sample_weight),
  sum(output_tokens * sample_weight), sum(reasoning_tokens * sample_weight),
  coalesce(sum(round(cost_usd * sample_weight::numeric, 12)), 0),
  count(*) FILTER (WHERE unpriced), count(*) FILTER (WHERE status = 'error')`;

/** Key value of a dimension column; missing attribution is stored as '' (a primary key cannot hold NULL). */
const key = (column: string) =>
  column === "provider" || column === "model" ? column : `coalesce(${column}, '')`;

/**
 * SQL that creates one rollup projection in PostgreSQL schema `s` (quoted): the table, a statement-level trigger
 * over the transition table (only rows really inserted; aggregated once per statement; keys sorted so concurrent
 * batches lock rows in one order, and triggers fire in name order so tables are locked in one order too), and a
 * backfill. CREATE TRIGGER takes a lock that blocks inserts until the migration commits, so the backfill and the
 * trigger never count the same row.
 */
export function postgresProjectionSql(s: string, p: Projection): string[] {
  const cols = p.dims.map((d) => EVENT_COLUMN[d]);
  const keyCols = [p.timeColumn, ...cols].join(", ");
  const keys = [`date_trunc('${p.grain}', ts, 'UTC')`, ...cols.map(key)].join(", ");
  const positions = [p.timeColumn, ...cols].map((_, i) => i + 1).join(", ");
  const t = `${s}.${p.table}`;
  return [
    `CREATE TABLE IF NOT EXISTS ${t} (
      ${p.timeColumn} timestamptz NOT NULL,
      ${cols.map((c) => `${c} text NOT NULL`).join(", ")},
      requests double precision NOT NULL, events bigint NOT NULL,
      uncached_input_tokens double precision NOT NULL, cache_read_tokens double precision NOT NULL,
      cache_write_5m_tokens double precision NOT NULL, cache_write_1h_tokens double precision NOT NULL,
      output_tokens double precision NOT NULL, reasoning_tokens double precision NOT NULL,
      cost_usd numeric NOT NULL,
      unpriced_events bigint NOT NULL, error_events bigint NOT NULL,
      PRIMARY KEY (${keyCols})
    )`,
    `CREATE OR REPLACE FUNCTION ${s}.${p.table}_insert() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      INSERT INTO ${t} AS h (${keyCols}, ${MEASURE_COLUMNS})
      SELECT ${keys}, ${MEASURES} FROM new_rows GROUP BY ${positions} ORDER BY ${positions}
      ON CONFLICT (${keyCols}) DO UPDATE SET
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
    `DROP TRIGGER IF EXISTS ${p.table}_rollup ON ${s}.token_ledger_events`,
    `CREATE TRIGGER ${p.table}_rollup AFTER INSERT ON ${s}.token_ledger_events
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${s}.${p.table}_insert()`,
    `INSERT INTO ${t} (${keyCols}, ${MEASURE_COLUMNS})
      SELECT ${keys}, ${MEASURES} FROM ${s}.token_ledger_events GROUP BY ${positions}`,
    `ANALYZE ${t}`,
  ];
}
