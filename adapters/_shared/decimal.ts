import type { Decimal } from "decimal.js";
// One Decimal configuration for all money (src/core/money.ts): 60 digits, half-up, plain notation.
import { Dec } from "../../src/core/money.js";

export { Dec };

const PICO = new Dec("1e12");

/** USD decimal string → integer pico-dollars (exact: stored costs have at most 12 decimals). */
export function usdToPico(usd: string): bigint {
  return BigInt(new Dec(usd).times(PICO).toDecimalPlaces(0).toFixed(0));
}

/** q·10^9 + r pico-dollars (the SQLite split sums) → USD. */
export function picoPartsToUsd(q: unknown, r: unknown): Decimal {
  const qs = q === null || q === undefined ? "0" : String(q);
  const rs = r === null || r === undefined ? "0" : String(r);
  return new Dec(qs).times(1e9).plus(rs).div(PICO);
}
