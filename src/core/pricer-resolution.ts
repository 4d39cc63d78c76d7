import { TokenLedgerConfigError } from "./errors.js";
// A type-only import: erased at build time, so no pricing code is loaded from here.
import type { PricingOptions } from "../pricing/pricer.js";
import type { Pricer } from "./pricer.js";

/** Builds the tracker's pricer from the `pricing` option (undefined: the bundled catalog as shipped). */
export type PricerFactory = (pricing: PricingOptions | undefined) => Pricer;

// The core imports no pricing module: the catalog is large and has its own loaders. The package entry
// (src/index.ts) registers the factory, so `new TokenTracker()` from "tokenledger" prices by default exactly
// as documented, while the tracker's own module stays free of the catalog.
let factory: PricerFactory | undefined;

export function setPricerFactory(fn: PricerFactory): void {
  factory = fn;
}

/** Prices every event as unknown: null cost and the unpriced flag, never a zero price. */
const UNPRICED: Pricer = { price: () => ({ costUsd: null, pricingKey: null }) };

/** The pricer a tracker uses: its own `pricer`, else the registered factory's, else none (all unpriced). */
export function resolvePricer(options: { pricer?: Pricer; pricing?: PricingOptions }): Pricer {
  if (options.pricer) return options.pricer;
  if (factory) return factory(options.pricing);
  if (options.pricing) {
    throw new TokenLedgerConfigError(
      'pricing: no price catalog is wired in; import TokenTracker from "tokenledger" or pass a `pricer`',
    );
  }
  return UNPRICED;
}
