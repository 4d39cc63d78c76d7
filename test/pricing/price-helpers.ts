import { EMPTY_USAGE } from "tokenledger";
import type { NormalizedUsage, PriceRequest } from "tokenledger";
import { createPricer, type TokenLedgerPricer } from "../../src/pricing/index.js";

/** The bundled catalog alone, so results do not depend on a LiteLLM cache on this machine. */
export const catalogPricer = createPricer({ litellmCachePath: false });

/** Price one call the way the tracker does (default pricer unless given), returning the cost string. */
export function priceOf(
  provider: string,
  model: string,
  usage: NormalizedUsage,
  extra: Partial<Omit<PriceRequest, "provider" | "model" | "usage">> & { pricer?: TokenLedgerPricer } = {},
): string | null {
  const { pricer = catalogPricer, ...rest } = extra;
  return pricer.price({
    provider,
    model,
    requestedModel: null,
    usage,
    serviceTier: null,
    batch: false,
    at: new Date("2026-11-01T00:00:00Z"),
    ...rest,
  }).costUsd;
}

/** The pricing key that would be recorded. */
export function keyOf(
  provider: string,
  model: string,
  extra: Partial<PriceRequest> & { pricer?: TokenLedgerPricer } = {},
): string | null {
  const { pricer = catalogPricer, ...rest } = extra;
  return pricer.price({
    provider,
    model,
    requestedModel: null,
    usage: { ...ZERO_USAGE, uncachedInputTokens: 1000, outputTokens: 100, tierBasisTokens: 1000 },
    serviceTier: null,
    batch: false,
    at: new Date("2026-11-01T00:00:00Z"),
    ...rest,
  }).pricingKey;
}

export const ZERO_USAGE: NormalizedUsage = EMPTY_USAGE;

/** Usage with the given buckets; tierBasisTokens defaults to the whole prompt. */
export function usage(parts: Partial<NormalizedUsage>): NormalizedUsage {
  const u = { ...ZERO_USAGE, ...parts };
  return parts.tierBasisTokens === undefined
    ? {
        ...u,
        tierBasisTokens:
          u.uncachedInputTokens + u.cacheReadTokens + u.cacheWrite5mTokens + u.cacheWrite1hTokens,
      }
    : u;
}
