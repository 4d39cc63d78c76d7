import { Dec } from "../core/money.js";
import type { RollupRow } from "../core/query.js";
import { cheaperSibling } from "./families.js";
import { mixCostUsd, mixRates, type RatePricer } from "./mix-cost.js";

export type RecommendationType = "model_downgrade" | "batch";

export interface Recommendation {
  readonly type: RecommendationType;
  readonly scope: { readonly provider: string; readonly model: string; readonly feature: string | null };
  /** What the figures rest on: the ledger's own counts over the window. */
  readonly evidence: {
    readonly windowDays: number;
    readonly requests: number;
    readonly uncachedInputTokens: number;
    readonly cacheReadTokens: number;
    readonly cacheWriteTokens: number;
    readonly outputTokens: number;
    readonly avgOutputTokens: number;
    /** What the ledger recorded for these events. */
    readonly recordedCostUsd: string;
    /** The same token mix at the current model's base rates. */
    readonly currentCostUsd: string;
    /** The same token mix at the alternative's rates. */
    readonly alternativeCostUsd: string;
    readonly currentPricingKey: string;
    readonly alternativePricingKey: string;
  };
  /** current − alternative over the window, exact. */
  readonly savingsUsd: string;
  /** savings × 30 / windowDays, 2 decimals. */
  readonly estMonthlySavingsUsd: string;
  readonly confidence: "low" | "medium" | "high";
  readonly caveat: string;
  readonly assumptions: readonly string[];
}

export interface RecommendOptions {
  readonly pricer: RatePricer;
  /** Days the rows cover; scales savings to a 30-day month. */
  readonly windowDays: number;
  /** Features the caller declares latency-tolerant (batch candidates). Nothing is guessed. */
  readonly batchFeatures?: readonly string[];
  /** Smallest monthly saving worth reporting; default 1 USD. */
  readonly minMonthlySavingsUsd?: string;
  /** A downgrade is advised only when the average output is at most this; default 1000 tokens. */
  readonly maxAvgOutputTokens?: number;
  /** Price date; default now. */
  readonly at?: Date;
}

const BASE_ASSUMPTIONS = [
  "same token counts on the alternative (tokenizers differ between models)",
  "base rates: long-context tiers, service tiers and audio rates are not applied",
];

/**
 * Savings advice from rollup rows grouped by provider, model and feature. Every figure is the row's token mix times
 * catalog rates, so it can be recomputed by hand; rows with unpriced events or models without a price are skipped.
 */
export function recommend(rows: readonly RollupRow[], options: RecommendOptions): Recommendation[] {
  if (!(options.windowDays > 0))
    throw new RangeError(`recommend: windowDays must be > 0, got ${options.windowDays}`);
  const min = new Dec(options.minMonthlySavingsUsd ?? "1");
  const maxOut = options.maxAvgOutputTokens ?? 1000;
  const batchFeatures = new Set(options.batchFeatures ?? []);
  const at = options.at ? { at: options.at } : {};
  const out: Recommendation[] = [];

  for (const row of rows) {
    const provider = row.provider;
    const model = row.model;
    if (!provider || !model || row.requests <= 0 || row.unpricedEvents > 0) continue;
    const current = mixRates(options.pricer, provider, model, at);
    if (!current) continue;
    const currentCost = mixCostUsd(row, current);
    const avgOutput = row.outputTokens / row.requests;
    const feature = row.feature ?? null;
    const evidence = (alternativeCostUsd: string, alternativePricingKey: string) => ({
      windowDays: options.windowDays,
      requests: row.requests,
      uncachedInputTokens: row.uncachedInputTokens,
      cacheReadTokens: row.cacheReadTokens,
      cacheWriteTokens: row.cacheWriteTokens,
      outputTokens: row.outputTokens,
      avgOutputTokens: Math.round(avgOutput),
      recordedCostUsd: row.costUsd,
      currentCostUsd: currentCost,
      alternativeCostUsd,
      currentPricingKey: current.pricingKey,
      alternativePricingKey,
    });
    const push = (
      type: RecommendationType,
      altCost: string,
      altKey: string,
      rest: Pick<Recommendation, "confidence" | "caveat" | "assumptions">,
    ) => {
      const savings = new Dec(currentCost).minus(altCost);
      const monthly = savings.times(30).div(options.windowDays);
      if (savings.lte(0) || monthly.lt(min)) return;
      out.push({
        type,
        scope: { provider, model, feature },
        evidence: evidence(altCost, altKey),
        savingsUsd: savings.toFixed(),
        estMonthlySavingsUsd: monthly.toFixed(2),
        ...rest,
      });
    };

    const sibling = cheaperSibling(provider, model);
    if (sibling && avgOutput <= maxOut) {
      const alt = mixRates(options.pricer, provider, sibling, at);
      if (alt)
        push("model_downgrade", mixCostUsd(row, alt), alt.pricingKey, {
          confidence: "low",
          caveat: `${sibling} may answer worse: try it on 10% of this traffic and compare quality before switching.`,
          assumptions: [
            ...BASE_ASSUMPTIONS,
            `average output ${Math.round(avgOutput)} tokens ≤ ${maxOut} (short answers)`,
          ],
        });
    }

    if (feature !== null && batchFeatures.has(feature)) {
      const batch = mixRates(options.pricer, provider, model, { ...at, batch: true });
      if (batch)
        push("batch", mixCostUsd(row, batch), `${batch.pricingKey} (batch)`, {
          confidence: batch.notes.length > 0 ? "medium" : "high",
          caveat: "Batch results arrive within 24 hours; only for work nobody waits on.",
          assumptions: [
            ...BASE_ASSUMPTIONS,
            `feature "${feature}" declared latency-tolerant`,
            ...batch.notes,
          ],
        });
    }
  }
  return out.sort((a, b) => new Dec(b.savingsUsd).cmp(a.savingsUsd));
}
