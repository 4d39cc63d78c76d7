// Money arithmetic has one home (src/core/money.ts): the Decimal configuration and the 12-decimal rounding rule.
import { Dec } from "../core/money.js";

export { Dec, COST_DECIMALS } from "../core/money.js";

export const ZERO = new Dec(0);
export const MILLION = new Dec(1_000_000);

/**
 * Canonical cost string: rounded half-up to 12 decimal places, plain notation, trailing zeros trimmed
 * ("0.0165", "0.00002468", "0"). Equal amounts always give the same string.
 */
export { formatCost as formatUsd } from "../core/money.js";

const DECIMAL_STRING = /^\d+(\.\d+)?$/;

/** A non-negative decimal string in plain notation ("2.50", "0.0375"). */
export function isRateString(value: string): boolean {
  return DECIMAL_STRING.test(value);
}

/** Number → exact decimal string of its shortest round-trip form (3e-7 → "0.0000003"); used for LiteLLM's floats. */
export function numberToDecimalString(value: number): string {
  return new Dec(String(value)).toFixed();
}
