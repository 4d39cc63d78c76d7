import { Option, type Command } from "commander";
import type { Dimension, RollupQuery, RollupRow, TimeBucket } from "../../core/query.js";
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
  const base: RollupQuery = {
    ...(range.since ? { since: range.since } : {}),
    ...(range.until ? { until: range.until } : {}),
    where,
  };
  const bucket = BUCKET[opts.period];
  const storage = await rollupSource(ctx, opts.server);

  const narrowed = Boolean(opts.model || opts.team || opts.user);
  const allSubs = ctx.config.subscriptions ?? [];
  if (narrowed && allSubs.length > 0)
    ctx.note("note: subscriptions are left out when filtering by model, team or user.");
  const subs = narrowed ? [] : allSubs.filter((s) => !opts.provider || s.provider === opts.provider);
  const providerSubs = subs.filter((s) => s.provider !== undefined);
  const toolSubs = subs.filter((s) => s.tool !== undefined);

  const byProvider = await storage.rollup({
    ...base,
    groupBy: ["provider"],
    bucket,
    timeZone: range.timeZone,
    orderBy: "period",
  });
  const blend = (rows: readonly RollupRow[], dim: Dimension, list: readonly Subscription[]) =>
    blendSubscriptions({
      rows,
      totals: byProvider.totals,
      bucket,
      groupBy: [dim],
      subscriptions: list,
      timeZone: range.timeZone,
      ...(range.since ? { since: range.since } : {}),
      ...(range.until ? { until: range.until } : {}),
    }).rows;
  const providers = blend(byProvider.rows, "provider", providerSubs).map(withRate);

  let tools: ReturnType<typeof withRate>[] = [];
  if (toolSubs.length > 0) {
    const names = [...new Set(toolSubs.map((s) => s.tool!))];
    const byTool = await storage.rollup({
      ...base,
      where: { ...where, app: names },
      groupBy: ["app"],
      bucket,
      timeZone: range.timeZone,
      orderBy: "period",
    });
    tools = blend(byTool.rows, "app", toolSubs).map(withRate);
  }

  const models = (
    await storage.rollup({ ...base, groupBy: ["provider", "model"], orderBy: "cost" })
  ).rows.map((r) => ({
    provider: r.provider ?? null,
    model: r.model ?? null,
    requests: r.requests,
    inputTokens: r.inputTokens,
    outputTokens: r.outputTokens,
    totalTokens: r.totalTokens,
    costUsd: r.costUsd,
    usdPerMTok: r.unpricedEvents === r.events ? null : usdPerMTok(r.costUsd, r.totalTokens),
    unpricedEvents: r.unpricedEvents,
  }));

  const t = byProvider.totals;
  const subscription = [...providers, ...tools].reduce(
    (sum, r) => sum.plus(r.subscriptionCostUsd),
    new Dec(0),
  );
  const total = subscription.plus(t.costUsd);
  const totals = {
    requests: t.requests,
    totalTokens: t.totalTokens,
    costUsd: t.costUsd,
    usdPerMTok: usdPerMTok(t.costUsd, t.totalTokens),
    subscriptionCostUsd: subscription.toString(),
    totalCostUsd: total.toString(),
    blendedUsdPerMTok: usdPerMTok(total.toString(), t.totalTokens),
    unpricedEvents: t.unpricedEvents,
  };

  if (opts.json) {
    await ctx.out(`${JSON.stringify({ providers, tools, models, totals }, null, 2)}\n`);
    return;
  }
  if (providers.length === 0 && tools.length === 0) {
    ctx.note("No usage or subscriptions found for this selection.");
    return;
  }
  type Blended = (typeof providers)[number];
  const viewColumns = (keyHeader: string, key: "provider" | "app"): Column<Blended>[] => [
    { header: "Period", value: (r) => r.period ?? "", align: "left", key: true },
    { header: keyHeader, value: (r) => String(r[key] ?? "(none)"), align: "left", key: true },
    { header: "Tokens", value: (r) => formatCount(r.totalTokens) },
    { header: "Metered", value: (r) => formatUsd(r.costUsd) + (r.unpricedEvents ? "*" : "") },
    { header: "$/MTok", value: (r) => (r.usdPerMTok ? formatUsd(r.usdPerMTok) : "-") },
    { header: "Subscription", value: (r) => formatUsd(r.subscriptionCostUsd) },
    { header: "Total", value: (r) => formatUsd(r.totalCostUsd) },
    { header: "Blended $/MTok", value: (r) => (r.blendedUsdPerMTok ? formatUsd(r.blendedUsdPerMTok) : "-") },
  ];
  const totalsRow = totals as unknown as Blended;
  await ctx.out(renderTable(viewColumns("Provider", "provider"), providers, totalsRow, ctx.colors));
  if (tools.length > 0) {
    await ctx.out(`\nTool subscriptions (usage of events with that app):\n`);
    await ctx.out(renderTable(viewColumns("Tool", "app"), tools, null, ctx.colors));
  }
  type ModelRow = (typeof models)[number];
  await ctx.out(`\nPer model:\n`);
  await ctx.out(
    renderTable<ModelRow>(
      [
        { header: "Provider", value: (r) => r.provider ?? "(none)", align: "left" },
        { header: "Model", value: (r) => r.model ?? "(none)", align: "left" },
        { header: "Tokens", value: (r) => formatCount(r.totalTokens) },
        { header: "Cost", value: (r) => formatUsd(r.costUsd) + (r.unpricedEvents ? "*" : "") },
        { header: "$/MTok", value: (r) => (r.usdPerMTok ? formatUsd(r.usdPerMTok) : "-") },
      ],
      models,
      null,
      ctx.colors,
    ),
  );
  if (t.unpricedEvents > 0)
    ctx.note(`* ${t.unpricedEvents} event(s) have no price; run \`tokenledger prices check\`.`);
}

/** $/MTok of the metered cost; unknown (null) when no event of the row has a price. */
function withRate(r: BlendedRow) {
  return {
    ...r,
    usdPerMTok: r.events > 0 && r.unpricedEvents === r.events ? null : usdPerMTok(r.costUsd, r.totalTokens),
  };
}
