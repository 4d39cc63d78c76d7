import { Dec } from "../core/money.js";
import type { RollupMeasures } from "../core/query.js";
import type { TokenLedgerPricer } from "../pricing/pricer.js";

const MILLION = new Dec(1_000_000);

/** The token buckets a rollup row carries, priced one by one. */
export type TokenMix = Pick<
  RollupMeasures,
  "uncachedInputTokens" | "cacheReadTokens" | "cacheWrite5mTokens" | "cacheWrite1hTokens" | "outputTokens"
>;

/** USD per 1M tokens for each bucket of a mix, with the pricer's own fallbacks (cache rules, batch, regions). */
export interface MixRates {
  readonly pricingKey: string;
  readonly uncachedInput: string;
  readonly cacheRead: string;
  readonly cacheWrite5m: string;
  readonly cacheWrite1h: string;
  readonly output: string;
  /** Anything approximate the pricer reported (e.g. batch rate guessed from a multiplier). */
  readonly notes: readonly string[];
}

export type RatePricer = Pick<TokenLedgerPricer, "breakdown">;

/**
 * Base rates of a model (no long-context tier), or null when the model has no price. Asks the pricer for one token of
 * each bucket, so every provider rule (cache fallbacks, batch overlay, regional multiplier) has one home: the pricer.
 */
export function mixRates(
  pricer: RatePricer,
  provider: string,
  model: string,
  options: { batch?: boolean; at?: Date } = {},
): MixRates | null {
  const b = pricer.breakdown({
    provider,
    model,
    usage: {
      uncachedInputTokens: 1,
      cacheReadTokens: 1,
      cacheWrite5mTokens: 1,
      cacheWrite1hTokens: 1,
      outputTokens: 1,
      tierBasisTokens: 0,
    },
    ...(options.batch ? { batch: true } : {}),
    ...(options.at ? { at: options.at } : {}),
  });
  if (!b) return null;
  const rate = (name: string): string => b.buckets.find((x) => x.bucket === name)?.rate ?? "0";
  return {
    pricingKey: b.pricingKey,
    uncachedInput: rate("textInput"),
    cacheRead: rate("cacheRead"),
    cacheWrite5m: rate("cacheWrite5m"),
    cacheWrite1h: rate("cacheWrite1h"),
    output: rate("textOutput"),
    notes: b.notes,
  };
}

/** Exact cost (decimal string) of a token mix at the given rates. */
export function mixCostUsd(mix: TokenMix, rates: MixRates): string {
  return new Dec(mix.uncachedInputTokens)
    .times(rates.uncachedInput)
    .plus(new Dec(mix.cacheReadTokens).times(rates.cacheRead))
    .plus(new Dec(mix.cacheWrite5mTokens).times(rates.cacheWrite5m))
    .plus(new Dec(mix.cacheWrite1hTokens).times(rates.cacheWrite1h))
    .plus(new Dec(mix.outputTokens).times(rates.output))
    .div(MILLION)
    .toFixed();
}
