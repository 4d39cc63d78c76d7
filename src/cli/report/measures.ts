import type { LedgerEvent } from "../../core/event.js";
import { addEvent, addRaw, emptyRaw, rawOf, toMeasures, type RawMeasures } from "../../core/measures.js";
import type { RollupMeasures } from "../../core/query.js";

/**
 * Running sums for measures the CLI computes from streamed events (5-hour blocks, sessions). The summing
 * routine is the storage adapters' own (src/core/measures.ts), so a block's total rounds exactly as the same
 * events do in `tokenledger report`: weighted costs to 12 decimals per event, then an exact sum.
 */
export class MeasureSum {
  readonly #raw: RawMeasures = emptyRaw();

  add(e: LedgerEvent): void {
    addEvent(this.#raw, e);
  }

  toMeasures(): RollupMeasures {
    return toMeasures(this.#raw);
  }
}

export function emptyMeasures(): RollupMeasures {
  return toMeasures(emptyRaw());
}

/** Totals over rows computed in the CLI (blocks), with exact decimal cost. */
export function sumMeasures(rows: readonly RollupMeasures[]): RollupMeasures {
  const total = emptyRaw();
  for (const r of rows) addRaw(total, rawOf(r));
  return toMeasures(total);
}
