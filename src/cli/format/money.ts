import { sumCosts } from "../../core/money.js";
import { Dec } from "./decimal.js";

/** `$12.35` from an exact decimal string: rounding happens once, here, for display only. */
export function formatUsd(value: string | null | undefined): string {
  if (value === null || value === undefined) return "-";
  const d = new Dec(value);
  if (d.isZero()) return "$0.00";
  // Keep small amounts visible instead of printing $0.00 for a non-zero cost.
  const places = d.abs().lessThan("0.01") ? 4 : 2;
  // HALF_UP like every display rule in src/core/money.ts; the comma regex groups only the integer part.
  return `$${d.toFixed(places, Dec.ROUND_HALF_UP).replace(/\B(?=(\d{3})+(?!\d))(?=.*\.)/g, ",")}`;
}

// Fixed en-US grouping, not the machine's locale: output must read the same in CI, tests and any terminal.
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString("en-US");
}

/** USD per million tokens, exact: cost / tokens × 1e6 (null when there are no tokens). */
export function usdPerMTok(costUsd: string, tokens: number): string | null {
  if (!tokens) return null;
  // 6 places for JSON and comparisons; tables round it again for display (formatUsd).
  return new Dec(costUsd).div(tokens).times(1_000_000).toDecimalPlaces(6, Dec.ROUND_HALF_UP).toString();
}

/** Totals rows sum through the one summing routine (core/money.ts), so a table's total equals the storage total. */
export function sumUsd(values: readonly (string | null | undefined)[]): string {
  return sumCosts(values).toString();
}
