import { Dec as Decimal } from "../pricing/decimal.js";
import { QuotaFetchError } from "./types.js";

/**
 * A provider's number as exact decimal text. JSON numbers are read with the shortest round-trip text
 * (`String(n)`), which is what the provider wrote; never summed as floats.
 * `undefined`/`null` stay null (unknown); anything else non-numeric is a shape error naming the field.
 */
export function decimalText(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === "number" && Number.isFinite(value)) return new Decimal(String(value)).toString();
  if (typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value)))
    return new Decimal(value.trim()).toString();
  throw new QuotaFetchError("shape", `${field}: expected a number, got ${JSON.stringify(value)}`);
}

/** a − b as decimal text; null when either is unknown. */
export function minus(a: string | null, b: string | null): string | null {
  return a === null || b === null ? null : new Decimal(a).minus(b).toString();
}

/** Share used, 0..∞ as a display number (only for gauges; never stored or summed). */
export function fractionUsed(used: string | null, limit: string | null): number | null {
  if (used === null || limit === null) return null;
  const l = new Decimal(limit);
  if (l.lte(0)) return null;
  return new Decimal(used).div(l).toNumber();
}
