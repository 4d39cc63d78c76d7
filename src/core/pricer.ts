import type { NormalizedUsage } from "./buckets.js";

export interface PriceRequest {
  readonly provider: string;
  /** Response model (dated snapshot) when known. */
  readonly model: string;
  readonly requestedModel: string | null;
  readonly usage: NormalizedUsage;
  readonly serviceTier: string | null;
  readonly batch: boolean;
  /** The event time: the rate in force then applies. */
  readonly at: Date;
}

export interface PriceResult {
  /** Exact USD decimal string, or null when no price matched. */
  readonly costUsd: string | null;
  readonly pricingKey: string | null;
}

/** The price-source seam. The default is the bundled catalog plus user overrides (`src/pricing`). */
export interface Pricer {
  price(request: PriceRequest): PriceResult;
}
