import type { Dimension } from "../core/query.js";

/**
 * The latency histogram's buckets (migration 0022, adapters/_kysely/server-migrations.ts): whole milliseconds below
 * one second, then three significant digits. A bucket's lower bound `b` holds the values in [b, b + width) with
 * width <= b / 100, so a percentile read from the histogram is never above the exact nearest-rank value and less
 * than 1% (or, below one second, 1 ms) under it. The SQL in the migration and this function share LADDER, so a
 * value falls in the same bucket whether the database or the server computes it.
 */
export const LADDER: readonly (readonly [below: number, step: number])[] = [
  [1e3, 1],
  [1e4, 10],
  [1e5, 100],
  [1e6, 1e3],
  [1e7, 1e4],
  [1e8, 1e5],
  [1e9, 1e6],
  [1e10, 1e7],
];
/** Above the ladder (over 115 days in milliseconds): one bucket per 1e8 ms. */
export const LAST_STEP = 1e8;

export function latencyBucket(ms: number): number {
  const rung = LADDER.find(([below]) => ms < below);
  const step = rung ? rung[1] : LAST_STEP;
  return Math.trunc(ms / step) * step;
}

/**
 * The histograms, smallest first (the reader takes the first that has every grouped and filtered dimension).
 * By model for the dashboard's org-wide view (days × models × buckets: small); with team and project for team
 * and project scopes. Users are left out on purpose: a user column multiplies the rows by the number of users,
 * and a histogram with a row per event is no faster than the events table (member keys read their own events,
 * exactly).
 */
export const HISTOGRAMS = [
  { table: "token_ledger_latency_histogram_model", dims: ["provider", "model"] },
  { table: "token_ledger_latency_histogram", dims: ["provider", "model", "team", "project"] },
] as const satisfies readonly { table: string; dims: readonly Dimension[] }[];

export type Histogram = (typeof HISTOGRAMS)[number];

/** The smallest histogram with every dimension in `dims`, else null (count the events). */
export function histogramFor(dims: readonly Dimension[]): Histogram | null {
  return HISTOGRAMS.find((h) => dims.every((d) => (h.dims as readonly Dimension[]).includes(d))) ?? null;
}

/** The timed measures: total latency, and time to first token (streamed calls only record one). */
export type TimedMetric = "latency" | "ttft";
