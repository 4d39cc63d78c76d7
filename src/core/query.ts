/** Dimensions a rollup can group or filter by. Names match the CLI's `--group-by` values. */
export const DIMENSIONS = [
  "provider",
  "model",
  "user",
  "team",
  "project",
  "feature",
  "cost_center",
  "environment",
  "app",
  "session",
  "operation",
  "status",
] as const;
export type Dimension = (typeof DIMENSIONS)[number];

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
