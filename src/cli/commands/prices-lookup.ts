import { sourceUrls } from "../../pricing/freshness.js";
import type { ModelPrice, CostBreakdown } from "../../pricing/index.js";
import { PROVIDER_NAMESPACES } from "../../pricing/providers.js";
import type { CliContext } from "../context.js";
import { formatCount, formatUsd } from "../format/money.js";

/** The catalog's per-bucket rate fields, in the column order `prices list` and `prices lookup` show them. */
export const RATE_COLUMNS = ["input", "output", "cacheRead", "cacheWrite5m", "cacheWrite1h"] as const;

export function pickRates(p: ModelPrice): Record<string, string | null> {
  return Object.fromEntries(RATE_COLUMNS.map((r) => [r, p[r] ?? null]));
}

export interface LookupOptions {
  readonly provider?: string;
  readonly input: number;
  readonly output: number;
  readonly cacheRead: number;
  readonly at?: string;
  readonly serviceTier?: string;
  readonly batch?: boolean;
  readonly json?: boolean;
}

/** Provider namespaces the config's own prices use (`acme` from `acme/m-1`), after the built-in ones. */
function lookupProviders(ctx: CliContext): string[] {
  const custom = Object.keys(ctx.config.prices ?? {})
    .map((k) => k.slice(0, Math.max(0, k.indexOf("/"))).toLowerCase())
    .filter((p) => p.length > 0 && !PROVIDER_NAMESPACES.includes(p));
  return [...PROVIDER_NAMESPACES, ...new Set(custom)];
}

/**
 * `prices lookup`: the first provider (given, else built-in then config namespaces in order) whose pricer prices the
 * model wins, the way a recorded event is priced; none pricing it is an error that points at `prices check`.
 */
export async function lookup(ctx: CliContext, model: string, opts: LookupOptions): Promise<void> {
  const pricer = await ctx.pricer();
  const at = opts.at ? new Date(opts.at) : new Date();
  // Catalog prices carry effective dates, so --at answers "what did this cost then", not only "now".
  if (Number.isNaN(at.getTime())) throw new Error(`--at "${opts.at}" is not a date`);
  const usage = {
    uncachedInputTokens: opts.input,
    outputTokens: opts.output,
    cacheReadTokens: opts.cacheRead,
  };
  for (const provider of opts.provider ? [opts.provider] : lookupProviders(ctx)) {
    const b = pricer.breakdown({
      provider,
      model,
      usage,
      at,
      serviceTier: opts.serviceTier ?? null,
      batch: opts.batch === true,
    });
    if (!b) continue;
    const found: Found = { provider, model, at, usage, b, price: pricer.lookup(provider, model, at) };
    await ctx.out(opts.json ? lookupJson(found) : `${lookupLines(found, opts).join("\n")}\n`);
    return;
  }
  throw new Error(
    `no price for model "${model}"${opts.provider ? ` under provider "${opts.provider}"` : ""}; add one under prices: in tokenledger.config.yaml (see \`tokenledger prices check\`)`,
  );
}

/** What one successful lookup found: the query, the pricer's breakdown and the catalog entry behind it. */
interface Found {
  readonly provider: string;
  readonly model: string;
  readonly at: Date;
  readonly usage: { uncachedInputTokens: number; outputTokens: number; cacheReadTokens: number };
  readonly b: CostBreakdown;
  readonly price: ModelPrice | undefined;
}

/** Rates as billed for this request: after long-context tier, service tier, batch and regional multiplier. */
function effectiveRates(b: CostBreakdown): Record<string, string> {
  return Object.fromEntries(b.buckets.filter((x) => x.bucket !== "webSearch").map((x) => [x.bucket, x.rate]));
}

function lookupJson({ provider, model, at, usage, b, price }: Found): string {
  const rates = price ? { ...pickRates(price), tiers: price.tiers ?? [] } : null;
  const query = { provider, model, at: at.toISOString(), usage };
  return `${JSON.stringify({ query, rates, effectiveRates: effectiveRates(b), sourceUrls: sourceUrls(b.source), ...b }, null, 2)}\n`;
}

function lookupLines({ provider, model, b, price }: Found, opts: LookupOptions): string[] {
  const effective = effectiveRates(b);
  const urls = sourceUrls(b.source);
  return [
    `${provider}/${model} → ${b.pricingKey} (matched by ${b.matchedBy}${b.matchedKey !== b.pricingKey ? ` via ${b.matchedKey}` : ""}, from ${b.origin})`,
    `  in force: ${b.effectiveFrom ?? "always"} → ${b.effectiveTo ?? "now"}${urls.length ? `; source: ${urls.join(" ")}` : ""}`,
    `  rates (USD/MTok): ${
      price
        ? RATE_COLUMNS.filter((r) => price[r])
            .map((r) => `${r} ${price[r]}`)
            .join(", ")
        : "-"
    }`,
    `  effective rates (USD/MTok${b.multiplier ? `, regional ×${b.multiplier}` : ""}${b.serviceTier !== "standard" ? `, ${b.serviceTier}` : ""}${b.batch ? ", batch" : ""}): input ${effective.textInput}, cache read ${effective.cacheRead}, cache write 5m ${effective.cacheWrite5m}, output ${effective.textOutput}`,
    ...(price?.tiers?.length
      ? [
          `  long-context tiers: ${price.tiers.map((t) => `above ${formatCount(t.aboveTokens)} tokens input ${t.input ?? "-"} output ${t.output ?? "-"}`).join("; ")}`,
        ]
      : []),
    `  sample: ${formatCount(opts.input)} input, ${formatCount(opts.cacheRead)} cache read, ${formatCount(opts.output)} output → ${formatUsd(b.costUsd)} (exact ${b.costUsd})${b.tier !== null ? `, tier >${b.tier} applied` : ""}`,
    ...b.buckets
      .filter((x) => x.quantity > 0)
      .map((x) => `    ${x.bucket}: ${formatCount(x.quantity)} × ${x.rate}/MTok = ${x.costUsd} (${x.rule})`),
    ...b.notes.map((n) => `  note: ${n}`),
  ];
}
