import type { NormalizedUsage } from "../core/buckets.js";
import { COST_DECIMALS, MILLION, ZERO, formatUsd } from "./decimal.js";
import { resolveUncached, type Rate, type ResolvedRates } from "./rate-rules.js";
import type { ModelPrice, RateField, ServiceTierName } from "./types.js";

/**
 * Exact cost of one request: each disjoint bucket priced once, in decimal arithmetic.
 *
 * Rates are chosen in this order: base → service tier (flex/priority) → long-context tier (strictly above
 * `aboveTokens` on `tierBasisTokens`; the WHOLE request moves) → provider fallbacks for missing rates →
 * batch (explicit batch rates, else `batchMultiplier`) → Bedrock geographic-profile `regionalMultiplier`.
 *
 * Missing-rate fallbacks (never $0 by accident): Anthropic-like models (Claude anywhere) read = 0.1×,
 * 5m write = 1.25×, 1h write = 2× input, web search $0.01/request; others read = 5m write = input,
 * 1h write = 2× input. Reasoning defaults to the output rate, audio to the text rates.
 *
 * The returned `costUsd` is the canonical string: half-up to 12 decimal places, trailing zeros trimmed.
 */
export interface CostOptions {
  /** Provider service tier as reported (`flex`, `priority`, `fast`, `ON_DEMAND_PRIORITY`, `batch`, ...). */
  readonly serviceTier?: string | null;
  readonly batch?: boolean;
  /** Bedrock geographic profile prefix the model id carried (`us`, `eu`, ...). */
  readonly regionPrefix?: string;
}

export type BucketName =
  | "textInput"
  | "inputAudio"
  | "cacheRead"
  | "cacheWrite5m"
  | "cacheWrite1h"
  | "textOutput"
  | "reasoning"
  | "outputAudio"
  | "webSearch";

export interface BucketCost {
  readonly bucket: BucketName;
  /** Tokens (web search: requests). */
  readonly quantity: number;
  /** USD per 1M tokens (web search: USD per request). */
  readonly rate: string;
  /** Exact, unrounded. */
  readonly costUsd: string;
  /** Where the rate came from: `base`, `tier>200000`, `flex`, `fallback 1.25×input`, `batch ×0.5`, ... */
  readonly rule: string;
}

export interface CostResult {
  /** Canonical cost string (12 decimal places at most, trailing zeros trimmed). */
  readonly costUsd: string;
  /** The unrounded sum. */
  readonly exactUsd: string;
  readonly buckets: readonly BucketCost[];
  /** `aboveTokens` of the long-context tier applied, or null. */
  readonly tier: number | null;
  readonly tierBasisTokens: number;
  readonly serviceTier: ServiceTierName | "standard";
  readonly batch: boolean;
  /** Regional multiplier applied, or null. */
  readonly multiplier: string | null;
  /** Anything approximate about this price (missing service-tier or batch rates). */
  readonly notes: readonly string[];
}

/** Normalise a provider's service tier label. `null` means standard pricing. */
export function serviceTierName(tier: string | null | undefined): ServiceTierName | "batch" | null {
  const t = tier?.trim().toLowerCase();
  if (!t) return null;
  if (t === "flex") return "flex";
  if (t === "priority" || t === "fast" || t === "on_demand_priority") return "priority";
  if (t === "batch") return "batch";
  return null; // default, auto, standard, scale, on_demand, reserved
}

// Resolved rate sets depend only on (price, service tier, tier, batch, region): cache them per price.
const resolvedCache = new WeakMap<ModelPrice, Map<string, ResolvedRates>>();
const plainCache = new WeakMap<ModelPrice, ResolvedRates>();

function resolveRates(price: ModelPrice, tierBasisTokens: number, options: CostOptions): ResolvedRates {
  const svc = serviceTierName(options.serviceTier);
  let tier: number | null = null;
  for (const t of price.tiers ?? []) if (tierBasisTokens > t.aboveTokens) tier = t.aboveTokens;
  const batch = options.batch === true || svc === "batch";
  if (svc === null && tier === null && !batch && !options.regionPrefix) {
    // The common case: standard rates, no tier. One slot per price, no key string to build.
    let plain = plainCache.get(price);
    if (!plain) plainCache.set(price, (plain = resolveUncached(price, null, null, false, undefined)));
    return plain;
  }
  const cacheKey = `${svc}|${tier}|${batch}|${options.regionPrefix ?? ""}`;
  let perPrice = resolvedCache.get(price);
  const hit = perPrice?.get(cacheKey);
  if (hit) return hit;
  const resolved = resolveUncached(price, svc, tier, batch, options.regionPrefix);
  if (!perPrice) resolvedCache.set(price, (perPrice = new Map()));
  perPrice.set(cacheKey, resolved);
  return resolved;
}

type Quantity = readonly [BucketName, number, RateField];

/**
 * Split the reported totals into disjoint buckets. A subset larger than its total is capped, so every token
 * of the total is billed exactly once.
 */
function quantities(usage: NormalizedUsage): Quantity[] {
  const inputAudio = Math.min(usage.inputAudioTokens, usage.uncachedInputTokens);
  const reasoning = Math.min(usage.reasoningTokens, usage.outputTokens);
  const outputAudio = Math.min(usage.outputAudioTokens, usage.outputTokens - reasoning);
  return [
    ["textInput", usage.uncachedInputTokens - inputAudio, "input"],
    ["inputAudio", inputAudio, "inputAudio"],
    ["cacheRead", usage.cacheReadTokens, "cacheRead"],
    ["cacheWrite5m", usage.cacheWrite5mTokens, "cacheWrite5m"],
    ["cacheWrite1h", usage.cacheWrite1hTokens, "cacheWrite1h"],
    ["textOutput", usage.outputTokens - reasoning - outputAudio, "output"],
    ["reasoning", reasoning, "reasoning"],
    ["outputAudio", outputAudio, "outputAudio"],
    ["webSearch", usage.webSearchRequests, "webSearchPerRequest"],
  ];
}

/**
 * The canonical cost string only: the pricer's hot path. Same exact arithmetic as `computeCost`, on integers:
 * Σ tokens × (rate × 10^scale) is USD × 10^(scale+6), then rounded half-up to 12 places.
 */
export function computeCostUsd(price: ModelPrice, usage: NormalizedUsage, options: CostOptions = {}): string {
  const { scaled, scale } = resolveRates(price, usage.tierBasisTokens, options);
  const inputAudio = Math.min(usage.inputAudioTokens, usage.uncachedInputTokens);
  const reasoning = Math.min(usage.reasoningTokens, usage.outputTokens);
  const outputAudio = Math.min(usage.outputAudioTokens, usage.outputTokens - reasoning);
  // Same buckets as quantities(), unrolled: this runs for every stored event.
  let acc = 0n;
  const add = (tokens: number, field: RateField) => {
    if (tokens !== 0) acc += BigInt(tokens) * (scaled.get(field) as bigint);
  };
  add(usage.uncachedInputTokens - inputAudio, "input");
  add(inputAudio, "inputAudio");
  add(usage.cacheReadTokens, "cacheRead");
  add(usage.cacheWrite5mTokens, "cacheWrite5m");
  add(usage.cacheWrite1hTokens, "cacheWrite1h");
  add(usage.outputTokens - reasoning - outputAudio, "output");
  add(reasoning, "reasoning");
  add(outputAudio, "outputAudio");
  add(usage.webSearchRequests * 1_000_000, "webSearchPerRequest"); // per request, not per 1M tokens
  return formatScaled(acc, scale + 6);
}

/** `value × 10^-places` → canonical string (half-up to 12 places, trailing zeros trimmed). */
function formatScaled(value: bigint, places: number): string {
  let v = value;
  let p = places;
  if (p > COST_DECIMALS) {
    const div = 10n ** BigInt(p - COST_DECIMALS);
    const rem = v % div;
    v = v / div + (rem * 2n >= div ? 1n : 0n);
    p = COST_DECIMALS;
  }
  if (v === 0n) return "0";
  const digits = v.toString().padStart(p + 1, "0");
  const int = digits.slice(0, digits.length - p);
  const frac = digits.slice(digits.length - p).replace(/0+$/, "");
  return frac ? `${int}.${frac}` : int;
}

/** Cost with every bucket's quantity, rate, amount and rule. */
export function computeCost(
  price: ModelPrice,
  usage: NormalizedUsage,
  options: CostOptions = {},
): CostResult {
  const resolved = resolveRates(price, usage.tierBasisTokens, options);
  let total = ZERO;
  const buckets: BucketCost[] = [];
  for (const [bucket, quantity, field] of quantities(usage)) {
    const r = resolved.rates.get(field) as Rate;
    const cost =
      quantity === 0
        ? ZERO
        : bucket === "webSearch"
          ? r.value.times(quantity)
          : r.value.times(quantity).dividedBy(MILLION);
    total = total.plus(cost);
    buckets.push({ bucket, quantity, rate: r.value.toFixed(), costUsd: cost.toFixed(), rule: r.rule });
  }
  return {
    costUsd: formatUsd(total),
    exactUsd: total.toFixed(),
    buckets,
    tier: resolved.tier,
    tierBasisTokens: usage.tierBasisTokens,
    serviceTier: resolved.serviceTier,
    batch: resolved.batch,
    multiplier: resolved.multiplier,
    notes: resolved.notes,
  };
}
