import { Option, type Command } from "commander";
import type { Dimension, RollupMeasures, RollupQuery, RollupRow, TimeBucket } from "../../core/query.js";
import type { Subscription } from "../../config/schema.js";
import type { CliContext } from "../context.js";
import { Dec } from "../format/decimal.js";
import { formatCount, formatUsd, usdPerMTok } from "../format/money.js";
import { renderTable, type Column } from "../format/table.js";
import type { Runner } from "../program.js";
import { blendSubscriptions, type BlendedRow } from "../report/blended.js";
import { addRangeOptions, resolveRange, type RangeOptions } from "../shared-options.js";
import { rollupSource, SERVER_OPTION_HELP } from "../report/server-rollup.js";

interface CostsOptions extends RangeOptions {
  readonly provider?: string;
  readonly model?: string;
  readonly team?: string;
  readonly user?: string;
  readonly period: "daily" | "weekly" | "monthly";
  readonly json?: boolean;
  readonly server?: string;
}

// The flag says daily/weekly/monthly, as `report --period` does; storage buckets are day/week/month.
const BUCKET: Record<CostsOptions["period"], Extract<TimeBucket, "day" | "week" | "month">> = {
  daily: "day",
  weekly: "week",
  monthly: "month",
};

export function registerCosts(program: Command, run: Runner): Command {
  const command = program
    .command("costs")
    .description(
      "What you pay: metered cost, $/MTok from your real token mix, and flat subscriptions blended in.",
    )
    .option("--provider <name>", "only this provider")
    .option("--model <name>", "only this model")
    .option("--team <id>", "only this team")
    .option("--user <id>", "only this user")
    .addOption(
      new Option("-p, --period <period>", "period of the provider view")
        .choices(["daily", "weekly", "monthly"])
        // Monthly by default: subscriptions are billed per month, so that is where metered and flat cost compare.
        .default("monthly"),
    );
  addRangeOptions(command);
  command
    .option("--json", "print { providers, tools, models, totals } as JSON")
    .option("--server <url>", SERVER_OPTION_HELP)
    .addHelpText(
      "after",
      `
Examples:
  $ tokenledger costs                              # this ledger, per provider and month
  $ tokenledger costs --since 2026-11-01 --period daily
  $ tokenledger costs --provider anthropic --json
  $ tokenledger costs --team eng --model gpt-4o

$/MTok = cost / total tokens × 1,000,000, exact. Subscriptions from the config file are prorated by day
(usdPerMonth × seats / days in the month) and added as subscriptionCostUsd; blendedUsdPerMTok uses the total.
With --model, --team or --user the subscriptions are left out: a seat plan is not split by those.`,
    )
    .action(run((ctx, opts: CostsOptions) => costs(ctx, opts)));
  return command;
}

async function costs(ctx: CliContext, opts: CostsOptions): Promise<void> {
  const range = resolveRange(ctx, opts);
  const where: Partial<Record<Dimension, string>> = {};
  if (opts.provider) where.provider = opts.provider;
  if (opts.model) where.model = opts.model;
  if (opts.team) where.team = opts.team;
  if (opts.user) where.user = opts.user;
  const scope: Scope = {
    base: {
      ...(range.since ? { since: range.since } : {}),
      ...(range.until ? { until: range.until } : {}),
      where,
    },
    bucket: BUCKET[opts.period],
    range,
    // One source for every rollup of the run, so the provider, tool and model views describe the same ledger.
    storage: await rollupSource(ctx, opts.server),
  };
  const { providerSubs, toolSubs } = selectSubscriptions(ctx, opts);

  const byProvider = await scope.storage.rollup({
    ...scope.base,
    groupBy: ["provider"],
    bucket: scope.bucket,
    timeZone: range.timeZone,
    orderBy: "period",
  });
  const providers = blend(scope, byProvider.totals, byProvider.rows, "provider", providerSubs).map(withRate);
  const tools = await toolRows(scope, byProvider.totals, toolSubs);
  const models = await modelRows(scope);
  // Metered totals come from the provider view alone: tool rows re-count some of its events (by app), so only
  // their subscription cost is added.
  const totals = costTotals(byProvider.totals, [...providers, ...tools]);

  // JSON even when empty: scripts always get the same shape, and the note below is for people.
  if (opts.json) {
    await ctx.out(`${JSON.stringify({ providers, tools, models, totals }, null, 2)}\n`);
    return;
  }
  if (providers.length === 0 && tools.length === 0) {
    ctx.note("No usage or subscriptions found for this selection.");
    return;
  }
  await printCosts(ctx, providers, tools, models, totals);
}

/** What every rollup of one `costs` run shares: filters, period bucket, time range and the source. */
interface Scope {
  readonly base: RollupQuery;
  readonly bucket: Extract<TimeBucket, "day" | "week" | "month">;
  readonly range: ReturnType<typeof resolveRange>;
  readonly storage: Awaited<ReturnType<typeof rollupSource>>;
}

/**
 * Subscriptions to blend in. A seat plan is paid per provider or tool, not per model, team or user, so any of
 * those filters leaves them out (a share would be a guess); `--provider` keeps that provider's plans.
 */
function selectSubscriptions(
  ctx: CliContext,
  opts: CostsOptions,
): { providerSubs: Subscription[]; toolSubs: Subscription[] } {
  const narrowed = Boolean(opts.model || opts.team || opts.user);
  const allSubs = ctx.config.subscriptions ?? [];
  if (narrowed && allSubs.length > 0)
    ctx.note("note: subscriptions are left out when filtering by model, team or user.");
  const subs = narrowed ? [] : allSubs.filter((s) => !opts.provider || s.provider === opts.provider);
  return {
    providerSubs: subs.filter((s) => s.provider !== undefined),
    toolSubs: subs.filter((s) => s.tool !== undefined),
  };
}

/** Prorate subscriptions into the rows' periods; proration is against the provider view's totals. */
function blend(
  scope: Scope,
  totals: RollupMeasures,
  rows: readonly RollupRow[],
  dim: Dimension,
  list: readonly Subscription[],
): BlendedRow[] {
  const { range } = scope;
  return blendSubscriptions({
    rows,
    totals,
    bucket: scope.bucket,
    groupBy: [dim],
    subscriptions: list,
    timeZone: range.timeZone,
    ...(range.since ? { since: range.since } : {}),
    ...(range.until ? { until: range.until } : {}),
  }).rows;
}

/** A tool subscription (Claude Code, Cursor, ...) is matched to events by their `app`: one rollup per run. */
async function toolRows(
  scope: Scope,
  totals: RollupMeasures,
  toolSubs: readonly Subscription[],
): Promise<ReturnType<typeof withRate>[]> {
  if (toolSubs.length === 0) return [];
  const names = [...new Set(toolSubs.map((s) => s.tool!))];
  const byTool = await scope.storage.rollup({
    ...scope.base,
    // Only the apps some plan names: an app without a plan has nothing to blend in.
    where: { ...scope.base.where, app: names },
    groupBy: ["app"],
    bucket: scope.bucket,
    timeZone: scope.range.timeZone,
    orderBy: "period",
  });
  return blend(scope, totals, byTool.rows, "app", toolSubs).map(withRate);
}

/** Per model over the whole range (no periods): metered only, subscriptions are not per model. */
async function modelRows(scope: Scope) {
  const result = await scope.storage.rollup({
    ...scope.base,
    groupBy: ["provider", "model"],
    orderBy: "cost",
  });
  return result.rows.map((r) => ({
    provider: r.provider ?? null,
    model: r.model ?? null,
    requests: r.requests,
    inputTokens: r.inputTokens,
    outputTokens: r.outputTokens,
    totalTokens: r.totalTokens,
    costUsd: r.costUsd,
    // null, not 0: with no priced event the rate is unknown, and 0 would read as free.
    usdPerMTok: r.unpricedEvents === r.events ? null : usdPerMTok(r.costUsd, r.totalTokens),
    unpricedEvents: r.unpricedEvents,
  }));
}

/** Metered totals plus every blended subscription row; blended $/MTok spreads the total over the real tokens. */
function costTotals(t: RollupMeasures, blended: readonly BlendedRow[]) {
  const subscription = blended.reduce((sum, r) => sum.plus(r.subscriptionCostUsd), new Dec(0));
  const total = subscription.plus(t.costUsd);
  return {
    requests: t.requests,
    totalTokens: t.totalTokens,
    costUsd: t.costUsd,
    usdPerMTok: usdPerMTok(t.costUsd, t.totalTokens),
    subscriptionCostUsd: subscription.toString(),
    totalCostUsd: total.toString(),
    blendedUsdPerMTok: usdPerMTok(total.toString(), t.totalTokens),
    unpricedEvents: t.unpricedEvents,
  };
}

type Blended = ReturnType<typeof withRate>;
type ModelRow = Awaited<ReturnType<typeof modelRows>>[number];

function viewColumns(keyHeader: string, key: "provider" | "app"): Column<Blended>[] {
  return [
    { header: "Period", value: (r) => r.period ?? "", align: "left", key: true },
    { header: keyHeader, value: (r) => String(r[key] ?? "(none)"), align: "left", key: true },
    { header: "Tokens", value: (r) => formatCount(r.totalTokens) },
    // `*`: some events of the row have no price, so the metered figure is a floor.
    { header: "Metered", value: (r) => formatUsd(r.costUsd) + (r.unpricedEvents ? "*" : "") },
    { header: "$/MTok", value: (r) => (r.usdPerMTok ? formatUsd(r.usdPerMTok) : "-") },
    { header: "Subscription", value: (r) => formatUsd(r.subscriptionCostUsd) },
    { header: "Total", value: (r) => formatUsd(r.totalCostUsd) },
    { header: "Blended $/MTok", value: (r) => (r.blendedUsdPerMTok ? formatUsd(r.blendedUsdPerMTok) : "-") },
  ];
}

const MODEL_COLUMNS: Column<ModelRow>[] = [
  { header: "Provider", value: (r) => r.provider ?? "(none)", align: "left" },
  { header: "Model", value: (r) => r.model ?? "(none)", align: "left" },
  { header: "Tokens", value: (r) => formatCount(r.totalTokens) },
  { header: "Cost", value: (r) => formatUsd(r.costUsd) + (r.unpricedEvents ? "*" : "") },
  { header: "$/MTok", value: (r) => (r.usdPerMTok ? formatUsd(r.usdPerMTok) : "-") },
];

async function printCosts(
  ctx: CliContext,
  providers: readonly Blended[],
  tools: readonly Blended[],
  models: readonly ModelRow[],
  totals: ReturnType<typeof costTotals>,
): Promise<void> {
  // The totals row carries the same measures as a provider row; renderTable blanks its key columns.
  const totalsRow = totals as unknown as Blended;
  await ctx.out(renderTable(viewColumns("Provider", "provider"), providers, totalsRow, ctx.colors));
  if (tools.length > 0) {
    await ctx.out(`\nTool subscriptions (usage of events with that app):\n`);
    await ctx.out(renderTable(viewColumns("Tool", "app"), tools, null, ctx.colors));
  }
  await ctx.out(`\nPer model:\n`);
  await ctx.out(renderTable<ModelRow>(MODEL_COLUMNS, models, null, ctx.colors));
  if (totals.unpricedEvents > 0)
    ctx.note(`* ${totals.unpricedEvents} event(s) have no price; run \`tokenledger prices check\`.`);
}

/** $/MTok of the metered cost; unknown (null) when no event of the row has a price. */
function withRate(r: BlendedRow) {
  return {
    ...r,
    // A period with a subscription but no events keeps usdPerMTok's own answer (null for zero tokens).
    usdPerMTok: r.events > 0 && r.unpricedEvents === r.events ? null : usdPerMTok(r.costUsd, r.totalTokens),
  };
}
