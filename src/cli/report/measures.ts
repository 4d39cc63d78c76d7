import type { LedgerEvent } from "../../core/event.js";
import type { RollupMeasures } from "../../core/query.js";
import { Dec } from "../format/decimal.js";

/**
 * Running sums for measures the CLI computes from streamed events (5-hour blocks, sessions). Costs are summed
 * exactly; weighted token sums use plain floats (integers unless sampling with a fractional weight).
 */
export class MeasureSum {
  requests = 0;
  events = 0;
  uncached = 0;
  cacheRead = 0;
  cacheWrite5m = 0;
  cacheWrite1h = 0;
  output = 0;
  reasoning = 0;
  cost: Dec = new Dec(0);
  unpriced = 0;
  errors = 0;

  add(e: LedgerEvent): void {
    const w = e.sampleWeight;
    this.requests += w;
    this.events += 1;
    this.uncached += e.usage.uncachedInputTokens * w;
    this.cacheRead += e.usage.cacheReadTokens * w;
    this.cacheWrite5m += e.usage.cacheWrite5mTokens * w;
    this.cacheWrite1h += e.usage.cacheWrite1hTokens * w;
    this.output += e.usage.outputTokens * w;
    this.reasoning += e.usage.reasoningTokens * w;
    if (e.costUsd !== null) this.cost = this.cost.plus(new Dec(e.costUsd).times(w));
    if (e.unpriced) this.unpriced += 1;
    if (e.status === "error") this.errors += 1;
  }

  toMeasures(): RollupMeasures {
    const cacheWrite = this.cacheWrite5m + this.cacheWrite1h;
    const input = this.uncached + this.cacheRead + cacheWrite;
    return {
      requests: this.requests,
      events: this.events,
      inputTokens: input,
      uncachedInputTokens: this.uncached,
      cacheReadTokens: this.cacheRead,
      cacheWriteTokens: cacheWrite,
      cacheWrite5mTokens: this.cacheWrite5m,
      cacheWrite1hTokens: this.cacheWrite1h,
      outputTokens: this.output,
      reasoningTokens: this.reasoning,
      totalTokens: input + this.output,
      costUsd: this.cost.toDecimalPlaces(12).toString(),
      unpricedEvents: this.unpriced,
      errorEvents: this.errors,
    };
  }
}

export function emptyMeasures(): RollupMeasures {
  return new MeasureSum().toMeasures();
}

/** Totals over rows computed in the CLI (blocks), with exact decimal cost. */
export function sumMeasures(rows: readonly RollupMeasures[]): RollupMeasures {
  const s = new MeasureSum();
  for (const r of rows) {
    s.requests += r.requests;
    s.events += r.events;
    s.uncached += r.uncachedInputTokens;
    s.cacheRead += r.cacheReadTokens;
    s.cacheWrite5m += r.cacheWrite5mTokens;
    s.cacheWrite1h += r.cacheWrite1hTokens;
    s.output += r.outputTokens;
    s.reasoning += r.reasoningTokens;
    s.cost = s.cost.plus(r.costUsd);
    s.unpriced += r.unpricedEvents;
    s.errors += r.errorEvents;
  }
  return s.toMeasures();
}
