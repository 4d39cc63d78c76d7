import { ATTRIBUTION_DIMENSION_FIELDS, type AttributionDimension } from "./attribution-fields.js";
import type { LedgerEvent } from "./event.js";
/** Dimensions every event has, outside attribution: the first two lead the list, the last two close it. */
const LEADING_DIMENSIONS = ["provider", "model"] as const;
const TRAILING_DIMENSIONS = ["operation", "status"] as const;
/** Dimensions whose event field and column are named differently: failover's target (the one that took the call). */
const FIELD_DIMENSIONS = [
  { dimension: "target", key: "effectiveTarget", column: "effective_target" },
] as const;

/** Dimensions a rollup can group or filter by. Names match the CLI's `--group-by` values. */
export type Dimension =
  | (typeof LEADING_DIMENSIONS)[number]
  | AttributionDimension
  | (typeof FIELD_DIMENSIONS)[number]["dimension"]
  | (typeof TRAILING_DIMENSIONS)[number];

/**
 * Derived from ATTRIBUTION_FIELDS. The order is what help and error messages list: provider and model, the
 * attribution dimensions the rollup projections keep, the others, then operation and status.
 */
export const DIMENSIONS: readonly Dimension[] = [
  ...LEADING_DIMENSIONS,
  ...ATTRIBUTION_DIMENSION_FIELDS.map((f) => f.dimension),
  ...FIELD_DIMENSIONS.map((f) => f.dimension),
  ...TRAILING_DIMENSIONS,
];

/** Where each dimension's value lives: the `LedgerEvent` property and the events-table column. */
export const DIMENSION_SOURCE: Readonly<
  Record<Dimension, { readonly key: keyof LedgerEvent; readonly column: string }>
> = Object.fromEntries([
  ...[...LEADING_DIMENSIONS, ...TRAILING_DIMENSIONS].map((d) => [d, { key: d, column: d }]),
  ...ATTRIBUTION_DIMENSION_FIELDS.map((f) => [f.dimension, { key: f.key, column: f.column }]),
  ...FIELD_DIMENSIONS.map((f) => [f.dimension, { key: f.key, column: f.column }]),
]) as Record<Dimension, { readonly key: keyof LedgerEvent; readonly column: string }>;

export const TIME_BUCKETS = ["hour", "day", "week", "month"] as const;
export type TimeBucket = (typeof TIME_BUCKETS)[number];

export interface RollupQuery {
  /** Inclusive lower bound. */
  readonly since?: Date;
  /** Exclusive upper bound. */
  readonly until?: Date;
  readonly groupBy?: readonly Dimension[];
  /** Adds a `period` column: the bucket start in `timeZone` (`YYYY-MM-DD`, `YYYY-MM-DDTHH:00`, `YYYY-MM`; weeks start Monday). */
  readonly bucket?: TimeBucket;
  /** IANA zone for buckets; default `UTC`. */
  readonly timeZone?: string;
  /** Equality filters; an array means "any of". `null` in the array matches a missing value. */
  readonly where?: Readonly<Partial<Record<Dimension, string | null | readonly (string | null)[]>>>;
  /** Default `cost` descending for grouped queries, `period` ascending when bucketed. */
  readonly orderBy?: "cost" | "requests" | "tokens" | "period";
  /** Top N rows after ordering. */
  readonly limit?: number;
}

/** Measures every rollup row and the totals carry. Token counts are sample-weighted. */
export interface RollupMeasures {
  /** Calls represented (sum of sample weights). */
  readonly requests: number;
  /** Stored events (unweighted). */
  readonly events: number;
  /** All prompt-side tokens: uncached + cache reads + cache writes. */
  readonly inputTokens: number;
  readonly uncachedInputTokens: number;
  /** ⊂ inputTokens */
  readonly cacheReadTokens: number;
  /** ⊂ inputTokens: 5-minute plus 1-hour writes. */
  readonly cacheWriteTokens: number;
  readonly cacheWrite5mTokens: number;
  readonly cacheWrite1hTokens: number;
  /** Output, reasoning included. */
  readonly outputTokens: number;
  /** ⊂ outputTokens */
  readonly reasoningTokens: number;
  readonly totalTokens: number;
  /** Exact decimal string, USD. Unpriced events contribute nothing and are counted apart. */
  readonly costUsd: string;
  readonly unpricedEvents: number;
  readonly errorEvents: number;
}

export type RollupRow = RollupMeasures & {
  readonly period?: string;
} & { readonly [K in Dimension]?: string | null };

export interface RollupResult {
  readonly rows: readonly RollupRow[];
  readonly totals: RollupMeasures;
}

export interface LatencyQuery {
  readonly since?: Date;
  readonly until?: Date;
  readonly groupBy?: readonly Dimension[];
  readonly where?: RollupQuery["where"];
  /** Fractions in (0, 1]; default [0.5, 0.9, 0.99]. */
  readonly percentiles?: readonly number[];
}

export type LatencyRow = { readonly [K in Dimension]?: string | null } & {
  readonly count: number;
  /** Keyed `p50`, `p90`, `p99`, ...: milliseconds, nearest-rank. */
  readonly latencyMs: Readonly<Record<string, number | null>>;
};

export interface EventQuery {
  readonly since?: Date;
  readonly until?: Date;
  readonly where?: RollupQuery["where"];
  readonly unpricedOnly?: boolean;
  /** Rows per page read from storage while streaming; default 1000. */
  readonly pageSize?: number;
}
