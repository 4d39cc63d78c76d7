import { Decimal as DecimalBase } from "decimal.js";

/**
 * A private Decimal clone: enough precision that no cost ever rounds before the final 12 places, and
 * plain notation in strings. Cloning keeps the host application's global Decimal settings untouched.
 */
export const Dec = DecimalBase.clone({
  precision: 50,
  rounding: DecimalBase.ROUND_HALF_UP,
  toExpNeg: -60,
  toExpPos: 60,
});
export type Dec = InstanceType<typeof Dec>;

export const ZERO = new Dec(0);
export const MILLION = new Dec(1_000_000);

/** Decimal places kept in a stored cost. */
export const COST_DECIMALS = 12;

/**
 * Canonical cost string: rounded half-up to 12 decimal places, plain notation, trailing zeros trimmed
 * ("0.0165", "0.00002468", "0"). Equal amounts always give the same string.
 */
export function formatUsd(value: Dec): string {
  const rounded = value.toDecimalPlaces(COST_DECIMALS, Dec.ROUND_HALF_UP);
  return rounded.isZero() ? "0" : rounded.toFixed();
}

const DECIMAL_STRING = /^\d+(\.\d+)?$/;

/** A non-negative decimal string in plain notation ("2.50", "0.0375"). */
export function isRateString(value: string): boolean {
  return DECIMAL_STRING.test(value);
}

/** Number → exact decimal string of its shortest round-trip form (3e-7 → "0.0000003"); used for LiteLLM's floats. */
export function numberToDecimalString(value: number): string {
  return new Dec(String(value)).toFixed();
}
