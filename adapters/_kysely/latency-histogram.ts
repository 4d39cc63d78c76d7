import { sql, type RawBuilder } from "kysely";
import type { Dimension, TimedCountQuery, TimedCounts, ValueCount } from "tokenledger/storage-kit";
import { EVENT_COLUMN } from "../_shared/dimensions.js";
import { HISTOGRAMS, histogramFor, type TimedMetric } from "../_shared/latency-buckets.js";
import type { LedgerDb } from "./schema.js";
import type { SqlFlavor } from "./sql-flavor.js";
import { whereSql } from "./where-sql.js";

const METRIC_COLUMN: Record<TimedMetric, string> = { latency: "latency_ms", ttft: "ttft_ms" };

/**
 * Counts of timed values per group, from which the server takes percentiles: from the latency histogram
 * (migration 0022, whole UTC days) or exactly from the events table. Counts, not percentiles, so the two sources
 * can be merged (a range's whole days from the histogram, its partial days from the events).
 */
export class KyselyTimedCounts implements TimedCounts {
  #present = false;
  constructor(
    private readonly db: () => Promise<LedgerDb>,
    private readonly flavor: SqlFlavor,
  ) {}

  /** Whether migration 0022 has run (a ledger opened with `migrate: false` may be older). */
  async hasHistogram(): Promise<boolean> {
    if (this.#present) return true;
    const names = await this.flavor.tableNames.execute(await this.db());
    const have = new Set(names.rows.map((r) => r.name));
    this.#present = HISTOGRAMS.every((h) => have.has(h.table));
    return this.#present;
  }

  /** Bucket counts from the smallest histogram that can answer; `since` and `until` must be whole UTC days. */
  async histogram(q: TimedCountQuery): Promise<ValueCount[]> {
    const h = histogramFor([...q.groupBy, ...(Object.keys(q.where) as Dimension[])]);
    if (!h)
      throw new Error(`no latency histogram keeps ${[...q.groupBy, ...Object.keys(q.where)].join(", ")}`);
    const where = whereSql(q, "rollup", "day", this.flavor.time(q.since), this.flavor.time(q.until));
    return this.#counts(q.groupBy, sql`bucket`, sql`sum(n)`, h.table, sql`metric = ${q.metric} and ${where}`);
  }

  /** Exact value counts from the events table. */
  async events(q: TimedCountQuery): Promise<ValueCount[]> {
    const col = sql.ref(METRIC_COLUMN[q.metric]);
    const where = whereSql(q, "events", "ts", this.flavor.time(q.since), this.flavor.time(q.until));
    return this.#counts(
      q.groupBy,
      col,
      sql`count(*)`,
      "token_ledger_events",
      sql`${col} is not null and ${where}`,
    );
  }

  async #counts(
    groupBy: readonly Dimension[],
    value: RawBuilder<unknown>,
    count: RawBuilder<unknown>,
    table: string,
    where: RawBuilder<unknown>,
  ): Promise<ValueCount[]> {
    const dims = groupBy.map((d, i) => sql`${sql.ref(EVENT_COLUMN[d])} as ${sql.id(`d_${i}`)}`);
    const positions = [...groupBy.map((_, i) => i + 1), groupBy.length + 1].map((i) => sql.lit(i));
    const r = await sql<
      Record<string, unknown>
    >`select ${sql.join([...dims, sql`${value} as v`, sql`${count} as n`])}
      from ${this.flavor.table(table)} where ${where} group by ${sql.join(positions)}`.execute(
      await this.db(),
    );
    return r.rows.map((row) => ({
      // The histogram stores a missing value as ''; the events table as NULL. Both mean "none".
      dims: groupBy.map((_, i) => {
        const v = row[`d_${i}`];
        return v === null || v === undefined || v === "" ? null : String(v);
      }),
      value: Number(row.v),
      n: Number(row.n),
    }));
  }
}
