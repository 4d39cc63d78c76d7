import type { Dimension } from "../../src/core/query.js";

/**
 * The latency histogram's buckets (migration 0022, adapters/_kysely/latency-histogram-migration.ts): whole
 * milliseconds below 100 ms, then in each decade D (100 ms, 1 s, 10 s, ...) steps of D/50 up to 2D, D/25 up to
 * 5D and D/10 up to 10D. A step is at most 2% of its bucket's lower bound `b`, so a percentile read from the
 * histogram is never above the exact nearest-rank value and less than 2% (below 100 ms: 1 ms) under it.
 * Why not finer: a histogram row exists per (day, group, bucket), and the read cost grows with the buckets a
 * day's values fill (1% steps would need ~5× the rows for the same latency spread).
 * The SQL in the migration and this function share LADDER, so a value falls in the same bucket whether the
 * database or the server computes it.
 */
export const LADDER: readonly (readonly [below: number, step: number])[] = [
  [100, 1],
  ...[1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9].flatMap(
    (d) =>
      [
        [2 * d, d / 50],
        [5 * d, d / 25],
        [10 * d, d / 10],
      ] as const,
  ),
];
/** Above the ladder (from 1e10 ms, over 115 days): one bucket per 1e9 ms. */
export const LAST_STEP = 1e9;

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
