import { Decimal } from "decimal.js";

/** The CLI's own Decimal: plain notation, ample precision, no change to the global Decimal settings. */
export const Dec = Decimal.clone({
  precision: 50,
  rounding: Decimal.ROUND_HALF_UP,
  toExpNeg: -60,
  toExpPos: 60,
});
export type Dec = Decimal;
