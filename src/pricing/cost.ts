import type { NormalizedUsage } from "../core/buckets.js";
import { COST_DECIMALS, Dec, MILLION, ZERO, formatUsd } from "./decimal.js";
import { isAnthropicLike } from "./model-id.js";
import { RATE_FIELDS, type ModelPrice, type RateField, type RateSet, type ServiceTierName } from "./types.js";

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

interface Rate {
  value: InstanceType<typeof Dec>;
  rule: string;
}

const decCache = new Map<string, InstanceType<typeof Dec>>();
function dec(s: string): InstanceType<typeof Dec> {
  let d = decCache.get(s);
  if (!d) {
    d = new Dec(s);
    if (decCache.size < 10_000) decCache.set(s, d);
  }
  return d;
}

const TOKEN_FIELDS = RATE_FIELDS.filter((f) => f !== "webSearchPerRequest");

/** Normalise a provider's service tier label. `null` means standard pricing. */
export function serviceTierName(tier: string | null | undefined): ServiceTierName | "batch" | null {
  const t = tier?.trim().toLowerCase();
  if (!t) return null;
  if (t === "flex") return "flex";
  if (t === "priority" || t === "fast" || t === "on_demand_priority") return "priority";
  if (t === "batch") return "batch";
  return null; // default, auto, standard, scale, on_demand, reserved
}

interface ResolvedRates {
  readonly rates: ReadonlyMap<RateField, Rate>;
  /** The same rates as exact integers of 10^-scale USD, for the hot path. */
  readonly scaled: ReadonlyMap<RateField, bigint>;
  readonly scale: number;
  readonly tier: number | null;
  readonly serviceTier: CostResult["serviceTier"];
  readonly batch: boolean;
  readonly multiplier: string | null;
  readonly notes: readonly string[];
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

/** Scale each resolved rate by `set[f] / price[f]` (a service tier's price relative to the standard one). */
function applyRatios(rates: Map<RateField, Rate>, price: ModelPrice, set: RateSet, label: string): void {
  for (const f of RATE_FIELDS) {
    const v = set[f];
    const base = price[f];
    const current = rates.get(f);
    if (v === undefined) continue;
    if (current && base !== undefined && !dec(base).isZero() && !current.value.eq(dec(base))) {
      // Only a tiered rate is scaled; an untouched standard rate takes the listed price exactly.
      rates.set(f, { value: current.value.times(dec(v).div(dec(base))), rule: `${current.rule}, ${label}` });
    } else {
      rates.set(f, { value: dec(v), rule: label });
    }
  }
}

function resolveUncached(
  price: ModelPrice,
  svc: ReturnType<typeof serviceTierName>,
  tier: number | null,
  batch: boolean,
  regionPrefix: string | undefined,
): ResolvedRates {
  const notes: string[] = [];
  const rates = new Map<RateField, Rate>();
  const overlay = (set: RateSet | undefined, rule: string) => {
    if (!set) return;
    for (const f of RATE_FIELDS) {
      const v = set[f];
      if (v !== undefined) rates.set(f, { value: dec(v), rule });
    }
  };
  overlay(price, "base");

  // Long-context tier first. Cache rates the tier omits keep their ratio to input (the tier's input over the
  // base input): Claude's and Gemini's cache prices are fixed fractions of input, so a stale base rate is wrong.
  if (tier !== null) {
    const t = price.tiers?.find((x) => x.aboveTokens === tier);
    const baseInput = price.input !== undefined ? dec(price.input) : undefined;
    const inputRatio =
      t?.input !== undefined && baseInput && !baseInput.isZero() ? dec(t.input).div(baseInput) : undefined;
    for (const f of ["cacheRead", "cacheWrite5m", "cacheWrite1h"] as const) {
      if (t?.[f] !== undefined) continue;
      const base = rates.get(f);
      if (base && inputRatio)
        rates.set(f, { value: base.value.times(inputRatio), rule: `${base.rule} × tier input ratio` });
      else rates.delete(f);
    }
    overlay(t, `tier>${tier}`);
  }

  // Service tiers (flex/priority) as ratios to the standard rate, so they compose with a long-context tier.
  let serviceTier: CostResult["serviceTier"] = "standard";
  if (svc === "flex" || svc === "priority") {
    const set = price.serviceTiers?.[svc];
    if (set) {
      applyRatios(rates, price, set, svc);
      serviceTier = svc;
    } else {
      notes.push(`no ${svc} rates for ${price.key}; standard rates used`);
    }
  }

  const anthropicLike = isAnthropicLike(price.provider, price.model);
  const input = rates.get("input") as Rate;
  const output = rates.get("output") as Rate;
  const fallback = (f: RateField, from: Rate, factor: string, label: string) => {
    if (!rates.has(f)) rates.set(f, { value: from.value.times(dec(factor)), rule: `fallback ${label}` });
  };
  fallback("cacheRead", input, anthropicLike ? "0.1" : "1", anthropicLike ? "0.1×input" : "input rate");
  fallback("cacheWrite5m", input, anthropicLike ? "1.25" : "1", anthropicLike ? "1.25×input" : "input rate");
  fallback("cacheWrite1h", input, "2", "2×input");
  fallback("reasoning", output, "1", "output rate");
  fallback("inputAudio", input, "1", "input rate");
  fallback("outputAudio", output, "1", "output rate");
  if (!rates.has("webSearchPerRequest")) {
    rates.set(
      "webSearchPerRequest",
      anthropicLike ? { value: dec("0.01"), rule: "fallback $10/1k" } : { value: ZERO, rule: "no rate" },
    );
  }

  if (batch) {
    // Explicit batch rates (LiteLLM `*_batches`, user overrides) are read as ratios to the standard rate, so they
    // compose with tiers and service tiers; fields they lack use the multiplier, or the input's batch ratio.
    const explicitInput =
      price.batch?.input !== undefined && price.input !== undefined && !dec(price.input).isZero()
        ? dec(price.batch.input).div(dec(price.input))
        : undefined;
    const m = price.batchMultiplier ? dec(price.batchMultiplier) : explicitInput;
    for (const f of TOKEN_FIELDS) {
      const r = rates.get(f) as Rate;
      const explicit = price.batch?.[f];
      const base = price[f];
      if (explicit !== undefined && base !== undefined && r.value.eq(dec(base))) {
        rates.set(f, { value: dec(explicit), rule: "batch" }); // the standard rate: take the listed batch price exactly
      } else if (explicit !== undefined && base !== undefined && !dec(base).isZero()) {
        const ratio = dec(explicit).div(dec(base));
        rates.set(f, { value: r.value.times(ratio), rule: `${r.rule}, batch ×${ratio.toFixed()}` });
      } else if (m) {
        rates.set(f, { value: r.value.times(m), rule: `${r.rule}, batch ×${m.toFixed()}` });
      } else if (explicit !== undefined) {
        rates.set(f, { value: dec(explicit), rule: "batch" });
      }
    }
    if (!m && !price.batch) notes.push(`no batch rates for ${price.key}; standard rates used`);
  }

  let multiplier: string | null = null;
  if (regionPrefix && price.regionalMultiplier) {
    multiplier = price.regionalMultiplier;
    const m = dec(multiplier);
    for (const f of TOKEN_FIELDS) {
      const r = rates.get(f) as Rate;
      rates.set(f, { value: r.value.times(m), rule: `${r.rule}, ${regionPrefix}. ×${multiplier}` });
    }
  }
  // Exact integer images of the decimal rates (value × 10^scale), so the hot path adds integers.
  let scale = 0;
  for (const r of rates.values()) scale = Math.max(scale, r.value.decimalPlaces());
  const factor = new Dec(10).pow(scale);
  const scaled = new Map<RateField, bigint>();
  for (const [f, r] of rates) scaled.set(f, BigInt(r.value.times(factor).toFixed()));
  return { rates, scaled, scale, tier, serviceTier, batch, multiplier, notes };
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
