import type { Decimal } from "decimal.js";
import type { LedgerEvent } from "./event.js";
import { Dec, formatCost, weightedCost } from "./money.js";
import type { RollupMeasures } from "./query.js";

/**
 * The one summing routine for measures. Every backend and the CLI add events (or backend rows) into these raw
 * sums and shape them with `toMeasures`, so tokens and dollars are summed and rounded one way everywhere.
 */
// Tokens are plain numbers (whole counts, far below 2^53 even weighted); cost is a Decimal, never a float:
// summing thousands of 12-decimal costs in floating point drifts by cents.
export interface RawMeasures {
  requests: number;
  events: number;
  uncached: number;
  cacheRead: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  output: number;
  reasoning: number;
  cost: Decimal;
  unpriced: number;
  errors: number;
}

export function emptyRaw(): RawMeasures {
  return {
    requests: 0,
    events: 0,
    uncached: 0,
    cacheRead: 0,
    cacheWrite5m: 0,
    cacheWrite1h: 0,
    output: 0,
    reasoning: 0,
    cost: new Dec(0),
    unpriced: 0,
    errors: 0,
  };
}

/** Add one stored event: requests, tokens and cost weighted by its sampling weight; `events` counts rows. */
export function addEvent(m: RawMeasures, e: LedgerEvent): void {
  // A sampled event stands for 1/rate calls: weighting estimates the real traffic, `events` keeps the row count.
  const w = e.sampleWeight;
  m.requests += w;
  m.events += 1;
  m.uncached += e.usage.uncachedInputTokens * w;
  m.cacheRead += e.usage.cacheReadTokens * w;
  m.cacheWrite5m += e.usage.cacheWrite5mTokens * w;
  m.cacheWrite1h += e.usage.cacheWrite1hTokens * w;
  m.output += e.usage.outputTokens * w;
  m.reasoning += e.usage.reasoningTokens * w;
  if (e.costUsd !== null) m.cost = m.cost.plus(weightedCost(e.costUsd, w));
  // Unpriced events add no cost (never a guessed 0) and are counted so reports can say the total is partial.
  if (e.unpriced) m.unpriced += 1;
  // Unpriced and error counts are rows, not weighted: they say how many stored events to look at.
  if (e.status === "error") m.errors += 1;
}

/** Add partial sums (a projection row, a group) into `into`. */
export function addRaw(into: RawMeasures, m: RawMeasures): void {
  into.requests += m.requests;
  into.events += m.events;
  into.uncached += m.uncached;
  into.cacheRead += m.cacheRead;
  into.cacheWrite5m += m.cacheWrite5m;
  into.cacheWrite1h += m.cacheWrite1h;
  into.output += m.output;
  into.reasoning += m.reasoning;
  into.cost = into.cost.plus(m.cost);
  into.unpriced += m.unpriced;
  into.errors += m.errors;
}

/** Raw sums of finished measures (the CLI's totals over rows it already has). */
export function rawOf(r: RollupMeasures): RawMeasures {
  return {
    requests: r.requests,
    events: r.events,
    uncached: r.uncachedInputTokens,
    cacheRead: r.cacheReadTokens,
    cacheWrite5m: r.cacheWrite5mTokens,
    cacheWrite1h: r.cacheWrite1hTokens,
    output: r.outputTokens,
    reasoning: r.reasoningTokens,
    cost: new Dec(r.costUsd),
    unpriced: r.unpricedEvents,
    errors: r.errorEvents,
  };
}

/** Weighted sums can carry float noise (weights like 1/0.3); counts are whole numbers well below 2^53. */
function tidy(n: number): number {
  const r = Math.round(n);
  return Math.abs(n - r) < 1e-6 ? r : n;
}

/** Shape raw sums for output; the cost is rounded once, here, by the one display rule in money.ts. */
export function toMeasures(r: RawMeasures): RollupMeasures {
  const uncachedInputTokens = tidy(r.uncached);
  const cacheReadTokens = tidy(r.cacheRead);
  const cacheWrite5mTokens = tidy(r.cacheWrite5m);
  const cacheWrite1hTokens = tidy(r.cacheWrite1h);
  const outputTokens = tidy(r.output);
  // The buckets are disjoint (buckets.ts), so input is their plain sum: every prompt token, cached or not.
  const inputTokens = tidy(r.uncached + r.cacheRead + r.cacheWrite5m + r.cacheWrite1h);
  return {
    requests: tidy(r.requests),
    events: r.events,
    inputTokens,
    uncachedInputTokens,
    cacheReadTokens,
    cacheWriteTokens: tidy(r.cacheWrite5m + r.cacheWrite1h),
    cacheWrite5mTokens,
    cacheWrite1hTokens,
    outputTokens,
    reasoningTokens: tidy(r.reasoning),
    // Reasoning tokens are already inside outputTokens; adding them would count them twice.
    totalTokens: tidy(inputTokens + outputTokens),
    costUsd: formatCost(r.cost),
    unpricedEvents: r.unpriced,
    errorEvents: r.errors,
  };
}
