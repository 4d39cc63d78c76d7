import { Decimal } from "decimal.js";

/**
 * The one home for money. Every cost is an exact decimal string; arithmetic runs on this private Decimal clone
 * (the host application's global Decimal settings stay untouched).
 *
 * - Precision 60 significant digits: no sum of stored costs (12 decimals, up to ~10^15 dollars) or average of
 *   them ever rounds before the final step.
 * - Plain notation in strings (toExpNeg/toExpPos): "0.0000000375", never "3.75e-8".
 *
 * Rounding rules, one per display, all ROUND_HALF_UP. HALF_UP wins over the HALF_EVEN one rollup path used to
 * name: it is what the pricer has always stored, what SQLite's `round()` and PostgreSQL's `round(numeric, 12)`
 * do to each weighted event cost inside the database (costs are never negative, so "half away from zero" is
 * half-up), and what the CLI prints. Sums of 12-decimal costs never need rounding, so the HALF_EVEN path never
 * changed a result; keeping two names for one rule only invited drift.
 * - Stored cost of one event, and every rollup total: 12 decimals (`COST_DECIMALS`), trailing zeros trimmed.
 * - Weighted event cost (sampling weight ≠ 1): rounded to 12 decimals per event before summing, as the SQL does.
 * - CLI money: 2 decimals, 4 below $0.01 so a small cost never prints as $0.00 (src/cli/format/money.ts).
 * - CLI $/MTok: 6 decimals. Quota dollars: 2 decimals.
 */
export const Dec = Decimal.clone({
  precision: 60,
  rounding: Decimal.ROUND_HALF_UP,
  toExpNeg: -60,
  toExpPos: 60,
});
export type Dec = Decimal;

/** Decimal places kept in a stored cost and in every cost total. */
export const COST_DECIMALS = 12;

/** Canonical cost string: 12 decimals half-up, plain, trailing zeros trimmed ("0", "1.5", "0.0000000375"). */
export function formatCost(value: Decimal): string {
  const rounded = value.toDecimalPlaces(COST_DECIMALS, Decimal.ROUND_HALF_UP);
  return rounded.isZero() ? "0" : rounded.toFixed();
}

/** One event's cost times its sampling weight, rounded per event exactly as the SQL backends do. */
export function weightedCost(costUsd: string, weight: number): Decimal {
  const cost = new Dec(costUsd);
  return weight === 1 ? cost : cost.times(weight).toDecimalPlaces(COST_DECIMALS, Decimal.ROUND_HALF_UP);
}

/** Exact sum of cost strings; missing ones (unpriced) add nothing, never a zero price. */
export function sumCosts(values: Iterable<string | null | undefined>): Decimal {
  let total = new Dec(0);
  for (const v of values) if (v) total = total.plus(v);
  return total;
}
