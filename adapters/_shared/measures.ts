import type { Decimal } from "decimal.js";
import { Dec } from "./decimal.js";
import type { RollupMeasures } from "../../src/core/query.js";

/** Aggregated sums as a backend returns them, before shaping into RollupMeasures. */
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

/** Weighted sums can carry float noise (weights like 1/0.3); counts are whole numbers well below 2^53. */
function tidy(n: number): number {
  const r = Math.round(n);
  return Math.abs(n - r) < 1e-6 ? r : n;
}

/** Costs are shown with 12 decimals at most, trailing zeros dropped ("0", "1.5", "0.0000000375"). */
export function formatCost(d: Decimal): string {
  return d.toDecimalPlaces(12, Dec.ROUND_HALF_EVEN).toFixed();
}

export function toMeasures(r: RawMeasures): RollupMeasures {
  const uncachedInputTokens = tidy(r.uncached);
  const cacheReadTokens = tidy(r.cacheRead);
  const cacheWrite5mTokens = tidy(r.cacheWrite5m);
  const cacheWrite1hTokens = tidy(r.cacheWrite1h);
  const outputTokens = tidy(r.output);
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
    totalTokens: tidy(inputTokens + outputTokens),
    costUsd: formatCost(r.cost),
    unpricedEvents: r.unpriced,
    errorEvents: r.errors,
  };
}
