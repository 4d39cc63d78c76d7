// TEMPORARY: replaced by the pricing work (catalog, lookup, exact cost). Prices nothing yet.
import type { Pricer } from "../core/pricer.js";
export function defaultPricer(): Pricer {
  return { price: () => ({ costUsd: null, pricingKey: null }) };
}
