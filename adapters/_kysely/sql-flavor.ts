import type { RawBuilder } from "kysely";
import type { Decimal } from "decimal.js";
import type { LedgerEvent, TimeBucket } from "tokenledger/storage-kit";
import type { OffsetSpan } from "../_shared/time-zone.js";
import type { StoredRow } from "./event-row.js";

/** The few places where SQLite and PostgreSQL SQL differ; everything else in KyselyStorage is shared. */
export interface SqlFlavor {
  /** Schema-qualified table reference. */
  table(name: string): RawBuilder<unknown>;
  /** A timestamp parameter as the `ts` / `hour` columns store it. */
  time(ms: number): unknown;
  /** Read a `ts` / `hour` value back as epoch milliseconds. */
  readTime(v: unknown): number;
  /** Names of the ledger's tables that exist (a column `name`), to skip projections whose migration is pending. */
  readonly tableNames: RawBuilder<{ name: string }>;
  /** Select list of the measures over token_ledger_events, aliased requests, events, uncached, ..., cost_a, cost_b, unpriced, errors. */
  readonly eventMeasures: RawBuilder<unknown>;
  /** The same measures over any rollup projection (they all have the same measure columns). */
  readonly rollupMeasures: RawBuilder<unknown>;
  /** Exact cost from the `cost_a` / `cost_b` columns of an aggregate row. */
  readCost(row: StoredRow): Decimal;
  /** Bucket label (`period`) of time column `column`, shifted into the zone. */
  period(
    column: string,
    bucket: TimeBucket,
    timeZone: string,
    spans: readonly OffsetSpan[],
  ): RawBuilder<unknown>;
  /** Latency query: rows with `d_<dim>` columns, `n`, and `p_<i>` for each percentile. */
  latency(
    dims: readonly string[],
    where: RawBuilder<unknown>,
    percentiles: readonly number[],
  ): RawBuilder<StoredRow>;
  /** Extra select expressions for reading events (SQLite returns cost as exact text). */
  readonly eventSelect: RawBuilder<unknown>;
  /** Decode a stored events row. */
  toEvent(row: StoredRow): LedgerEvent;
}
