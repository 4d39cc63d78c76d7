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
  const settings: Settings = {
    options,
    min: new Dec(options.minMonthlySavingsUsd ?? "1"),
    maxOut: options.maxAvgOutputTokens ?? 1000,
    batchFeatures: new Set(options.batchFeatures ?? []),
    at: options.at ? { at: options.at } : {},
  };
  const out: Recommendation[] = [];
  for (const row of rows) {
    const provider = row.provider;
    const model = row.model;
    // A row with unpriced events has no trustworthy current cost to compare against: no advice rather than a guess.
    if (!provider || !model || row.requests <= 0 || row.unpricedEvents > 0) continue;
    const current = mixRates(options.pricer, provider, model, settings.at);
    if (!current) continue;
    const ctx: RowContext = {
      row,
      provider,
      model,
      current,
      currentCost: mixCostUsd(row, current),
      settings,
      out,
    };
    adviseDowngrade(ctx);
    adviseBatch(ctx);
  }
  return out.sort((a, b) => new Dec(b.savingsUsd).cmp(a.savingsUsd));
}

interface Settings {
  readonly options: RecommendOptions;
  readonly min: Dec;
  readonly maxOut: number;
  readonly batchFeatures: ReadonlySet<string>;
  readonly at: { at?: Date };
}

/** One rollup row being advised on: its current rates and cost, and where advice goes. */
interface RowContext {
  readonly row: RollupRow;
  readonly provider: string;
  readonly model: string;
  readonly current: NonNullable<ReturnType<typeof mixRates>>;
  readonly currentCost: string;
  readonly settings: Settings;
  readonly out: Recommendation[];
}

const avgOutputOf = (row: RollupRow) => row.outputTokens / row.requests;

/** Cheaper model of the same family, only for short answers (where a smaller model is least likely to fall short). */
function adviseDowngrade(ctx: RowContext): void {
  const { settings, provider, model } = ctx;
  const avgOutput = avgOutputOf(ctx.row);
  const sibling = cheaperSibling(provider, model);
  if (!sibling || avgOutput > settings.maxOut) return;
  const alt = mixRates(settings.options.pricer, provider, sibling, settings.at);
  if (!alt) return;
  push(ctx, "model_downgrade", mixCostUsd(ctx.row, alt), alt.pricingKey, {
    confidence: "low",
    caveat: `${sibling} may answer worse: try it on 10% of this traffic and compare quality before switching.`,
    assumptions: [
      ...BASE_ASSUMPTIONS,
      `average output ${Math.round(avgOutput)} tokens ≤ ${settings.maxOut} (short answers)`,
    ],
  });
}

/** Batch API, only for features the caller declared latency-tolerant (nothing is guessed from the traffic). */
function adviseBatch(ctx: RowContext): void {
  const { settings, provider, model } = ctx;
  const feature = ctx.row.feature ?? null;
  if (feature === null || !settings.batchFeatures.has(feature)) return;
  const batch = mixRates(settings.options.pricer, provider, model, { ...settings.at, batch: true });
  if (!batch) return;
  push(ctx, "batch", mixCostUsd(ctx.row, batch), `${batch.pricingKey} (batch)`, {
    // Notes mean the price lists no batch rate (standard rates stood in): a less certain figure.
    confidence: batch.notes.length > 0 ? "medium" : "high",
    caveat: "Batch results arrive within 24 hours; only for work nobody waits on.",
    assumptions: [...BASE_ASSUMPTIONS, `feature "${feature}" declared latency-tolerant`, ...batch.notes],
  });
}

/** Record advice when it saves money and the saving, scaled to a 30-day month, clears the threshold. */
function push(
  ctx: RowContext,
  type: RecommendationType,
  altCost: string,
  altKey: string,
  rest: Pick<Recommendation, "confidence" | "caveat" | "assumptions">,
): void {
  const { row, settings, currentCost } = ctx;
  const savings = new Dec(currentCost).minus(altCost);
  const monthly = savings.times(30).div(settings.options.windowDays);
  if (savings.lte(0) || monthly.lt(settings.min)) return;
  ctx.out.push({
    type,
    scope: { provider: ctx.provider, model: ctx.model, feature: row.feature ?? null },
    evidence: evidence(ctx, altCost, altKey),
    savingsUsd: savings.toFixed(),
    estMonthlySavingsUsd: monthly.toFixed(2),
    ...rest,
  });
}

/** The inputs behind a figure, so anyone can recompute it by hand. */
function evidence(ctx: RowContext, alternativeCostUsd: string, alternativePricingKey: string) {
  const { row } = ctx;
  return {
    windowDays: ctx.settings.options.windowDays,
    requests: row.requests,
    uncachedInputTokens: row.uncachedInputTokens,
    cacheReadTokens: row.cacheReadTokens,
    cacheWriteTokens: row.cacheWriteTokens,
    outputTokens: row.outputTokens,
    avgOutputTokens: Math.round(avgOutputOf(row)),
    recordedCostUsd: row.costUsd,
    currentCostUsd: ctx.currentCost,
    alternativeCostUsd,
    currentPricingKey: ctx.current.pricingKey,
    alternativePricingKey,
  };
}
