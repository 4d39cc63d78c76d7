import { sql, type RawBuilder } from "kysely";
import type { TimeBucket } from "tokenledger/storage-kit";
import { picoPartsToUsd } from "../_shared/decimal.js";
import { formatCost } from "../_shared/measures.js";
import type { OffsetSpan } from "../_shared/time-zone.js";
import { rowToEvent, type StoredRow } from "../_kysely/event-row.js";
import type { SqlFlavor } from "../_kysely/sql-flavor.js";

// Weighted pico cost; its quotient and remainder by 10^9 are summed apart so no sum overflows int64.
const W =
  "(CASE WHEN sample_weight = 1 THEN cost_pico ELSE CAST(round(cost_pico * sample_weight) AS INTEGER) END)";

const EVENT_MEASURES = sql.raw(`sum(sample_weight) as requests, count(*) as events,
  sum(uncached_input_tokens * sample_weight) as uncached, sum(cache_read_tokens * sample_weight) as cache_read,
  sum(cache_write_5m_tokens * sample_weight) as cache_write_5m, sum(cache_write_1h_tokens * sample_weight) as cache_write_1h,
  sum(output_tokens * sample_weight) as output, sum(reasoning_tokens * sample_weight) as reasoning,
  cast(sum(${W} / 1000000000) as text) as cost_a, cast(sum(${W} % 1000000000) as text) as cost_b,
  sum(unpriced) as unpriced, sum(status = 'error') as errors`);

const ROLLUP_MEASURES = sql.raw(`sum(requests) as requests, sum(events) as events,
  sum(uncached_input_tokens) as uncached, sum(cache_read_tokens) as cache_read,
  sum(cache_write_5m_tokens) as cache_write_5m, sum(cache_write_1h_tokens) as cache_write_1h,
  sum(output_tokens) as output, sum(reasoning_tokens) as reasoning,
  cast(sum(cost_q) as text) as cost_a, cast(sum(cost_r) as text) as cost_b,
  sum(unpriced_events) as unpriced, sum(error_events) as errors`);

const int = (n: number): string => {
  if (!Number.isSafeInteger(n)) throw new Error(`not an integer: ${n}`);
  return String(n);
};

/**
 * SQLite has no time zones: the zone's offsets over the queried range (computed in JS) become a CASE
 * that shifts each timestamp to local wall time before strftime buckets it.
 */
function localSeconds(column: string, spans: readonly OffsetSpan[]): string {
  const [first, ...rest] = spans;
  const shift =
    rest.length === 0
      ? int(first?.offsetMs ?? 0)
      : `CASE ${[first!, ...rest]
          .slice(0, -1)
          .map((s, i) => `WHEN ${column} < ${int(rest[i]!.from)} THEN ${int(s.offsetMs)}`)
          .join(" ")} ELSE ${int(rest[rest.length - 1]!.offsetMs)} END`;
  return `((${column} + ${shift}) / 1000)`;
}

export const sqliteFlavor: SqlFlavor = {
  table: (name) => sql.table(name),
  time: (ms) => ms,
  readTime: (v) => Number(v),
  tableNames: sql<{ name: string }>`select name from sqlite_master where type = 'table'`,
  eventMeasures: EVENT_MEASURES,
  rollupMeasures: ROLLUP_MEASURES,
  readCost: (r) => picoPartsToUsd(r.cost_a, r.cost_b),
  period(column: string, bucket: TimeBucket, _tz: string, spans: readonly OffsetSpan[]): RawBuilder<unknown> {
    const s = localSeconds(column, spans);
    switch (bucket) {
      case "hour":
        return sql.raw(`strftime('%Y-%m-%dT%H:00', ${s}, 'unixepoch')`);
      case "day":
        return sql.raw(`strftime('%Y-%m-%d', ${s}, 'unixepoch')`);
      case "week": // back 6 days, then forward to Monday: the Monday on or before
        return sql.raw(`date(${s}, 'unixepoch', '-6 days', 'weekday 1')`);
      case "month":
        return sql.raw(`strftime('%Y-%m', ${s}, 'unixepoch')`);
    }
  },
  latency(dims, where, percentiles) {
    const dimSel = dims.map((c, i) => sql`${sql.ref(c)} as ${sql.id(`d_${i}`)}`);
    const dimRefs = dims.map((_, i) => sql.id(`d_${i}`));
    const partition = dimRefs.length > 0 ? sql`partition by ${sql.join(dimRefs)}` : sql``;
    // Nearest rank = ceil(p·n), written without math functions.
    const picks = percentiles.map(
      (p, i) =>
        sql`max(case when rn = max(1, min(n, cast(${p} * n as integer) + (${p} * n > cast(${p} * n as integer)))) then v end) as ${sql.id(`p_${i}`)}`,
    );
    const outer = [...dimRefs, sql`max(n) as n`, ...picks];
    const groupBy = dimRefs.length > 0 ? sql` group by ${sql.join(dimRefs)}` : sql``;
    const inner = dimSel.length > 0 ? sql`${sql.join(dimSel)}, latency_ms as v` : sql`latency_ms as v`;
    return sql<StoredRow>`with f as (select ${inner} from token_ledger_events where ${where} and latency_ms is not null),
      r as (select *, row_number() over (${partition} order by v) as rn, count(*) over (${partition}) as n from f)
      select ${sql.join(outer)} from r${groupBy}`;
  },
  eventSelect: sql`, cast(cost_pico as text) as cost_text`,
  toEvent(r: StoredRow) {
    const pico = r.cost_text;
    const cost = pico === null || pico === undefined ? null : formatCost(picoPartsToUsd(0, pico));
    return rowToEvent(r, new Date(Number(r.ts)), cost);
  },
};
