import { sql, type RawBuilder } from "kysely";
import type { TimeBucket } from "tokenledger/storage-kit";
import { Dec } from "../_shared/decimal.js";
import { formatCost } from "../_shared/measures.js";
import { rowToEvent, type StoredRow } from "../_kysely/event-row.js";
import type { SqlFlavor } from "../_kysely/sql-flavor.js";

// Aggregates come back as float8 (numbers) except cost, which stays an exact NUMERIC string.
const EVENT_MEASURES = sql.raw(`sum(sample_weight)::float8 as requests, count(*)::float8 as events,
  sum(uncached_input_tokens * sample_weight)::float8 as uncached, sum(cache_read_tokens * sample_weight)::float8 as cache_read,
  sum(cache_write_5m_tokens * sample_weight)::float8 as cache_write_5m, sum(cache_write_1h_tokens * sample_weight)::float8 as cache_write_1h,
  sum(output_tokens * sample_weight)::float8 as output, sum(reasoning_tokens * sample_weight)::float8 as reasoning,
  sum(round(cost_usd * sample_weight::numeric, 12))::text as cost_a,
  (count(*) filter (where unpriced))::float8 as unpriced, (count(*) filter (where status = 'error'))::float8 as errors`);

const ROLLUP_MEASURES = sql.raw(`sum(requests)::float8 as requests, sum(events)::float8 as events,
  sum(uncached_input_tokens)::float8 as uncached, sum(cache_read_tokens)::float8 as cache_read,
  sum(cache_write_5m_tokens)::float8 as cache_write_5m, sum(cache_write_1h_tokens)::float8 as cache_write_1h,
  sum(output_tokens)::float8 as output, sum(reasoning_tokens)::float8 as reasoning,
  sum(cost_usd)::text as cost_a, sum(unpriced_events)::float8 as unpriced, sum(error_events)::float8 as errors`);

const FORMAT: Readonly<Record<TimeBucket, string>> = {
  hour: `'YYYY-MM-DD"T"HH24:00'`,
  day: "'YYYY-MM-DD'",
  week: "'YYYY-MM-DD'", // date_trunc('week') starts on Monday
  month: "'YYYY-MM'",
};

export function postgresFlavor(schema: string): SqlFlavor {
  return {
    table: (name) => sql.table(`${schema}.${name}`),
    time: (ms) => new Date(ms),
    readTime: (v) => (v instanceof Date ? v.getTime() : Date.parse(String(v))),
    tableNames: sql<{
      name: string;
    }>`select table_name as name from information_schema.tables where table_schema = ${schema}`,
    eventMeasures: EVENT_MEASURES,
    rollupMeasures: ROLLUP_MEASURES,
    readCost: (r) => new Dec(r.cost_a === null || r.cost_a === undefined ? "0" : String(r.cost_a)),
    period(column, bucket, timeZone): RawBuilder<unknown> {
      return sql`to_char(date_trunc(${sql.lit(bucket)}, ${sql.ref(column)} at time zone ${sql.lit(timeZone)}), ${sql.raw(FORMAT[bucket])})`;
    },
    latency(dims, where, percentiles) {
      const dimSel = dims.map((c, i) => sql`${sql.ref(c)} as ${sql.id(`d_${i}`)}`);
      const picks = percentiles.map(
        (p, i) =>
          sql`percentile_disc(${sql.lit(p)}::float8) within group (order by latency_ms) as ${sql.id(`p_${i}`)}`,
      );
      const groupBy =
        dims.length > 0 ? sql` group by ${sql.join(dims.map((_, i) => sql.lit(i + 1)))}` : sql``;
      return sql<StoredRow>`select ${sql.join([...dimSel, sql`count(*)::float8 as n`, ...picks])}
        from ${sql.table(`${schema}.token_ledger_events`)} where ${where} and latency_ms is not null${groupBy}`;
    },
    eventSelect: sql``,
    toEvent(r: StoredRow) {
      const cost =
        r.cost_usd === null || r.cost_usd === undefined ? null : formatCost(new Dec(String(r.cost_usd)));
      const ts = r.ts instanceof Date ? r.ts : new Date(String(r.ts));
      return rowToEvent(r, ts, cost);
    },
  };
}
