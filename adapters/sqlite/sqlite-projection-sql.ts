import { EVENT_COLUMN } from "../_shared/dimensions.js";
import type { Projection } from "../_kysely/projections.js";

const UNIT_MS = { hour: 3_600_000, day: 86_400_000 } as const;
// Weighted cost in pico-dollars: exact for weight 1 (the common case), rounded per event otherwise.
const weighted = (p: string) =>
  `CASE WHEN ${p}sample_weight = 1 THEN ${p}cost_pico ELSE CAST(round(${p}cost_pico * ${p}sample_weight) AS INTEGER) END`;
const MEASURE_COLUMNS = `requests, events, uncached_input_tokens, cache_read_tokens, cache_write_5m_tokens, cache_write_1h_tokens,
  output_tokens, reasoning_tokens, cost_q, cost_r, unpriced_events, error_events`;

/** Key value of a dimension column; missing attribution is stored as '' (a primary key cannot hold NULL). */
const key = (p: string, column: string) =>
  column === "provider" || column === "model" ? `${p}${column}` : `coalesce(${p}${column}, '')`;

/**
 * SQL that creates one rollup projection in SQLite (migration 0004): a WITHOUT ROWID table clustered on (grain start,
 * dims) so range scans read it in key order, an AFTER INSERT row trigger (dropped again by 0005: the adapter's write
 * path now upserts per batch, see `sqliteRollupUpsertSql`) and a backfill from the events already stored. Run under
 * the migration's BEGIN IMMEDIATE, so no writer can slip between the trigger and the backfill.
 * Applied migrations must not change: this text stays as 0004 shipped it.
 */
export function sqliteProjectionSql(p: Projection): string[] {
  const cols = p.dims.map((d) => EVENT_COLUMN[d]);
  const keyCols = [p.timeColumn, ...cols].join(", ");
  const unit = UNIT_MS[p.grain];
  return [
    `CREATE TABLE IF NOT EXISTS ${p.table} (
      ${p.timeColumn} INTEGER NOT NULL,
      ${cols.map((c) => `${c} TEXT NOT NULL`).join(", ")},
      requests REAL NOT NULL, events INTEGER NOT NULL,
      uncached_input_tokens REAL NOT NULL, cache_read_tokens REAL NOT NULL,
      cache_write_5m_tokens REAL NOT NULL, cache_write_1h_tokens REAL NOT NULL,
      output_tokens REAL NOT NULL, reasoning_tokens REAL NOT NULL,
      cost_q INTEGER NOT NULL, cost_r INTEGER NOT NULL,
      unpriced_events INTEGER NOT NULL, error_events INTEGER NOT NULL,
      PRIMARY KEY (${keyCols})
    ) WITHOUT ROWID`,
    `CREATE TRIGGER IF NOT EXISTS ${p.table}_rollup AFTER INSERT ON token_ledger_events BEGIN
      INSERT INTO ${p.table} (${keyCols}, ${MEASURE_COLUMNS})
      VALUES (NEW.ts - NEW.ts % ${unit}, ${cols.map((c) => key("NEW.", c)).join(", ")},
        NEW.sample_weight, 1,
        NEW.uncached_input_tokens * NEW.sample_weight, NEW.cache_read_tokens * NEW.sample_weight,
        NEW.cache_write_5m_tokens * NEW.sample_weight, NEW.cache_write_1h_tokens * NEW.sample_weight,
        NEW.output_tokens * NEW.sample_weight, NEW.reasoning_tokens * NEW.sample_weight,
        coalesce(${weighted("NEW.")} / 1000000000, 0), coalesce(${weighted("NEW.")} % 1000000000, 0),
        NEW.unpriced, NEW.status = 'error')
      ON CONFLICT (${keyCols}) DO UPDATE SET
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
    aggregateInsert(p, "true"),
  ];
}

/**
 * `INSERT INTO <projection> SELECT` the events matching `where`, summed per (grain start, dims) exactly as the old
 * per-row trigger summed them: weighted measures, weighted pico cost rounded per event and split by 10^9, '' for
 * missing attribution, unpriced and error counts. `where` is never empty, which also keeps a following ON CONFLICT
 * from parsing as a join constraint.
 */
function aggregateInsert(p: Projection, where: string): string {
  const cols = p.dims.map((d) => EVENT_COLUMN[d]);
  const keyCols = [p.timeColumn, ...cols].join(", ");
  return `INSERT INTO ${p.table} (${keyCols}, ${MEASURE_COLUMNS})
      SELECT ts - ts % ${UNIT_MS[p.grain]}, ${cols.map((c) => key("", c)).join(", ")},
        sum(sample_weight), count(*), sum(uncached_input_tokens * sample_weight), sum(cache_read_tokens * sample_weight),
        sum(cache_write_5m_tokens * sample_weight), sum(cache_write_1h_tokens * sample_weight),
        sum(output_tokens * sample_weight), sum(reasoning_tokens * sample_weight),
        coalesce(sum(${weighted("")} / 1000000000), 0), coalesce(sum(${weighted("")} % 1000000000), 0),
        sum(unpriced), sum(status = 'error')
      FROM token_ledger_events WHERE ${where} GROUP BY ${[p.timeColumn, ...cols].map((_, i) => i + 1).join(", ")}`;
}

/** Rebuilds nothing, only adds: `INSERT INTO <projection>` every stored event, summed (for an empty projection). */
export function sqliteProjectionBackfillSql(p: Projection): string {
  return aggregateInsert(p, "true");
}

/**
 * One aggregated upsert of a batch into projection `p`, bound to a JSON array of the ids the batch really inserted
 * (ON CONFLICT (id) DO NOTHING skips stored ids, so a retried batch is never counted twice). Run by the adapter in
 * the batch's own BEGIN IMMEDIATE transaction, so the rollups commit with their rows or not at all.
 */
export function sqliteRollupUpsertSql(p: Projection): string {
  const keyCols = [p.timeColumn, ...p.dims.map((d) => EVENT_COLUMN[d])].join(", ");
  const add = MEASURE_COLUMNS.split(",").map((c) => `${c.trim()} = ${c.trim()} + excluded.${c.trim()}`);
  return `${aggregateInsert(p, "id IN (SELECT value FROM json_each(?))")}
      ON CONFLICT (${keyCols}) DO UPDATE SET ${add.join(", ")}`;
}

/** The per-row trigger that maintained `p` before migration 0005 (0002 named the first one differently). */
export function sqliteRollupTrigger(p: Projection): string {
  return p.table === "token_ledger_hourly" ? "token_ledger_rollup" : `${p.table}_rollup`;
}

/**
 * The inverse of `sqliteRollupUpsertSql`: takes the stored events with the bound JSON ids back out of projection
 * `p` (run just before those rows are deleted, in the same transaction), then `sqliteRollupPruneSql` drops the
 * groups left empty.
 */
export function sqliteRollupSubtractSql(p: Projection): string {
  const keyCols = [p.timeColumn, ...p.dims.map((d) => EVENT_COLUMN[d])].join(", ");
  const sub = MEASURE_COLUMNS.split(",").map((c) => `${c.trim()} = ${c.trim()} - excluded.${c.trim()}`);
  return `${aggregateInsert(p, "id IN (SELECT value FROM json_each(?))")}
      ON CONFLICT (${keyCols}) DO UPDATE SET ${sub.join(", ")}`;
}

export function sqliteRollupPruneSql(p: Projection): string {
  return `DELETE FROM ${p.table} WHERE events <= 0`;
}
