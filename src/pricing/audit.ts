import { EMPTY_USAGE } from "../core/buckets.js";
import { computeCost } from "./cost.js";
import { Dec } from "./decimal.js";
import { findPrice, type PriceLayers } from "./lookup.js";
import { EMPTY_TABLE, versionAt } from "./table.js";
import type { ModelPrice, PriceTable } from "./types.js";

/**
 * Compare two price layers model by model: the effective rate of every bucket (after the provider fallbacks
 * the cost function applies), at standard rates, at each long-context tier either side has, and in batch.
 * Used by `tokenledger prices audit` and by the test that makes every catalog/broad disagreement reviewed.
 */
export interface RateDifference {
  /** `input`, `cacheRead`, `output@>200000`, `batch.input` ... */
  readonly field: string;
  readonly a: string;
  readonly b: string;
}

export interface ModelDifference {
  /** The key in the first layer (`anthropic/claude-opus-4-5-20251101`). */
  readonly key: string;
  /** The key the second layer priced the same model with. */
  readonly otherKey: string;
  readonly source: string | null;
  readonly otherSource: string | null;
  readonly differences: readonly RateDifference[];
}

/** Amounts closer than this (USD per 1M tokens) are a rounding step, not a disagreement. */
export const ROUNDING_STEP = "0.000001";

const BUCKET_FIELD: Readonly<Record<string, string>> = {
  textInput: "input",
  inputAudio: "inputAudio",
  cacheRead: "cacheRead",
  cacheWrite5m: "cacheWrite5m",
  cacheWrite1h: "cacheWrite1h",
  textOutput: "output",
  reasoning: "reasoning",
  outputAudio: "outputAudio",
  webSearch: "webSearchPerRequest",
};

function effectiveRates(
  price: ModelPrice,
  basis: number,
  batch: boolean,
  regionPrefix: string | undefined,
): Map<string, string> {
  const result = computeCost(
    price,
    { ...EMPTY_USAGE, tierBasisTokens: basis },
    regionPrefix ? { batch, regionPrefix } : { batch },
  );
  return new Map(result.buckets.map((b) => [BUCKET_FIELD[b.bucket] ?? b.bucket, b.rate]));
}

/**
 * Every effective-rate difference between two prices of the same model. `bRegionPrefix`: the Bedrock
 * geographic profile the lookup stripped to find `b` (its regional multiplier applies).
 */
export function comparePrices(a: ModelPrice, b: ModelPrice, bRegionPrefix?: string): RateDifference[] {
  const thresholds = new Set<number>();
  for (const t of [...(a.tiers ?? []), ...(b.tiers ?? [])]) thresholds.add(t.aboveTokens);
  const shapes: { label: (f: string) => string; basis: number; batch: boolean }[] = [
    { label: (f) => f, basis: 0, batch: false },
    ...[...thresholds]
      .sort((x, y) => x - y)
      .map((t) => ({ label: (f: string) => `${f}@>${t}`, basis: t + 1, batch: false })),
    { label: (f) => `batch.${f}`, basis: 0, batch: true },
  ];
  const step = new Dec(ROUNDING_STEP);
  const out: RateDifference[] = [];
  for (const shape of shapes) {
    const ra = effectiveRates(a, shape.basis, shape.batch, undefined);
    const rb = effectiveRates(b, shape.basis, shape.batch, bRegionPrefix);
    for (const [field, va] of ra) {
      if (shape.batch && field === "webSearchPerRequest") continue;
      const vb = rb.get(field) ?? "0";
      if (new Dec(va).minus(new Dec(vb)).abs().gt(step))
        out.push({ field: shape.label(field), a: va, b: vb });
    }
  }
  return out;
}

/**
 * For every model of `primary` (the version in force at `at`), the price `other` gives the same provider and
 * model id through the normal lookup (exact, normalized, aliases), and their differences.
 * `matched` lists every pair, differing or not.
 */
export function compareTables(
  primary: PriceTable,
  other: PriceTable,
  at: Date = new Date(),
): { readonly differences: ModelDifference[]; readonly matched: number } {
  const layers: PriceLayers = {
    overrides: EMPTY_TABLE,
    litellm: EMPTY_TABLE,
    catalog: other,
    broad: EMPTY_TABLE,
    azureDeployments: new Map(),
    bedrockModelMap: new Map(),
  };
  const differences: ModelDifference[] = [];
  let matched = 0;
  for (const [key, versions] of [...primary.prices].sort(([x], [y]) => (x < y ? -1 : 1))) {
    const price = versionAt(versions, at.getTime());
    if (!price) continue;
    const found = findPrice(layers, { provider: price.provider, model: price.model, at });
    if (!found) continue;
    matched += 1;
    const diffs = comparePrices(price, found.price, found.regionPrefix);
    if (diffs.length > 0)
      differences.push({
        key,
        otherKey: found.price.key,
        source: price.source ?? null,
        otherSource: found.price.source ?? null,
        differences: diffs,
      });
  }
  return { differences, matched };
}
