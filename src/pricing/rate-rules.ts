import { Dec, ZERO } from "./decimal.js";
import { isAnthropicLike } from "./model-id.js";
import { RATE_FIELDS, type ModelPrice, type RateField, type RateSet, type ServiceTierName } from "./types.js";

/**
 * The billing rules that turn a listed price into the rates one request pays (see `CostOptions` in cost.ts for
 * the order). Each step below is one rule; every rate carries the `rule` that produced it, which `prices
 * lookup` prints, so a surprising cost can be traced to the step that made it.
 */
export interface Rate {
  value: InstanceType<typeof Dec>;
  rule: string;
}

export interface ResolvedRates {
  readonly rates: ReadonlyMap<RateField, Rate>;
  /** The same rates as exact integers of 10^-scale USD, for the hot path. */
  readonly scaled: ReadonlyMap<RateField, bigint>;
  readonly scale: number;
  readonly tier: number | null;
  readonly serviceTier: ServiceTierName | "standard";
  readonly batch: boolean;
  readonly multiplier: string | null;
  readonly notes: readonly string[];
}

// Price strings repeat across calls (a few hundred distinct ones): parse each once. Bounded so a caller
// feeding ever-new override strings cannot grow it without limit.
const decCache = new Map<string, InstanceType<typeof Dec>>();
export function dec(s: string): InstanceType<typeof Dec> {
  let d = decCache.get(s);
  if (!d) {
    d = new Dec(s);
    if (decCache.size < 10_000) decCache.set(s, d);
  }
  return d;
}

/** Per-token rates (web search is per request: batch and regional multipliers leave it alone). */
export const TOKEN_FIELDS = RATE_FIELDS.filter((f) => f !== "webSearchPerRequest");

type Rates = Map<RateField, Rate>;

export function resolveUncached(
  price: ModelPrice,
  svc: ServiceTierName | "batch" | null,
  tier: number | null,
  batch: boolean,
  regionPrefix: string | undefined,
): ResolvedRates {
  const notes: string[] = [];
  const rates: Rates = new Map();
  overlay(rates, price, "base");
  if (tier !== null) applyContextTier(rates, price, tier);
  const serviceTier =
    svc === "flex" || svc === "priority" ? applyServiceTier(rates, price, svc, notes) : "standard";
  applyFallbacks(rates, isAnthropicLike(price.provider, price.model));
  if (batch) applyBatch(rates, price, notes);
  const multiplier =
    regionPrefix && price.regionalMultiplier
      ? applyRegion(rates, price.regionalMultiplier, regionPrefix)
      : null;
  return { rates, ...scaledImage(rates), tier, serviceTier, batch, multiplier, notes };
}

function overlay(rates: Rates, set: RateSet | undefined, rule: string): void {
  if (!set) return;
  for (const f of RATE_FIELDS) {
    const v = set[f];
    if (v !== undefined) rates.set(f, { value: dec(v), rule });
  }
}

/**
 * Long-context tier first. Cache rates the tier omits keep their ratio to input (the tier's input over the base
 * input): Claude's and Gemini's cache prices are fixed fractions of input, so a stale base rate is wrong.
 */
function applyContextTier(rates: Rates, price: ModelPrice, tier: number): void {
  const t = price.tiers?.find((x) => x.aboveTokens === tier);
  const baseInput = price.input !== undefined ? dec(price.input) : undefined;
  const inputRatio =
    t?.input !== undefined && baseInput && !baseInput.isZero() ? dec(t.input).div(baseInput) : undefined;
  for (const f of ["cacheRead", "cacheWrite5m", "cacheWrite1h"] as const) {
    if (t?.[f] !== undefined) continue;
    const base = rates.get(f);
    if (base && inputRatio)
      rates.set(f, { value: base.value.times(inputRatio), rule: `${base.rule} × tier input ratio` });
    // No ratio to scale by: drop the stale rate so the provider fallback derives it from the tier's input.
    else rates.delete(f);
  }
  overlay(rates, t, `tier>${tier}`);
}

/** Service tiers (flex/priority) as ratios to the standard rate, so they compose with a long-context tier. */
function applyServiceTier(
  rates: Rates,
  price: ModelPrice,
  svc: "flex" | "priority",
  notes: string[],
): ServiceTierName | "standard" {
  const set = price.serviceTiers?.[svc];
  if (!set) {
    notes.push(`no ${svc} rates for ${price.key}; standard rates used`);
    return "standard";
  }
  applyRatios(rates, price, set, svc);
  return svc;
}

/** Scale each resolved rate by `set[f] / price[f]` (a service tier's price relative to the standard one). */
function applyRatios(rates: Rates, price: ModelPrice, set: RateSet, label: string): void {
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

/**
 * Rates the price does not list, derived from the provider's published rules rather than left at $0 (a
 * missing rate billed as free would under-report silently). Anthropic's cache and web-search rules are fixed
 * multiples; other providers bill cache at the input rate unless they say otherwise.
 */
function applyFallbacks(rates: Rates, anthropicLike: boolean): void {
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
}

/**
 * Explicit batch rates (LiteLLM `*_batches`, user overrides) are read as ratios to the standard rate, so they
 * compose with tiers and service tiers; fields they lack use the multiplier, or the input's batch ratio.
 */
function applyBatch(rates: Rates, price: ModelPrice, notes: string[]): void {
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

/** Bedrock geographic inference profiles (`us.`, `eu.` model ids) cost a fixed multiple of the listed rate. */
function applyRegion(rates: Rates, multiplier: string, regionPrefix: string): string {
  const m = dec(multiplier);
  for (const f of TOKEN_FIELDS) {
    const r = rates.get(f) as Rate;
    rates.set(f, { value: r.value.times(m), rule: `${r.rule}, ${regionPrefix}. ×${multiplier}` });
  }
  return multiplier;
}

/** Exact integer images of the decimal rates (value × 10^scale), so the hot path adds integers. */
function scaledImage(rates: Rates): { scaled: Map<RateField, bigint>; scale: number } {
  let scale = 0;
  for (const r of rates.values()) scale = Math.max(scale, r.value.decimalPlaces());
  const factor = new Dec(10).pow(scale);
  const scaled = new Map<RateField, bigint>();
  for (const [f, r] of rates) scaled.set(f, BigInt(r.value.times(factor).toFixed()));
  return { scaled, scale };
}
