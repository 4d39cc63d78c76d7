import { Option, type Command } from "commander";
import type { Dimension, RollupQuery, TimeBucket } from "../../core/query.js";
import { withUnknownCost } from "../report/unpriced.js";
import type { CliContext } from "../context.js";
import type { WhereFilters } from "../flags.js";
import { toCsv } from "../format/csv.js";
import { BLENDED_COLUMNS, renderReport } from "../format/report-table.js";
import type { Runner } from "../program.js";
import { TokenLedgerConfigError } from "../../core/errors.js";
import { blendSubscriptions } from "../report/blended.js";
import { computeBlocks } from "../report/blocks.js";
import { sumMeasures } from "../report/measures.js";
import { eventSource } from "../report/server-events.js";
import { rollupSource, serverFor, SERVER_OPTION_HELP } from "../report/server-rollup.js";
import {
  addFilterOptions,
  addOutputOptions,
  addRangeOptions,
  resolveRange,
  toWhere,
  type OutputOptions,
  type RangeOptions,
} from "../shared-options.js";

/** The agents `report --import` can import first. */
export const REPORT_IMPORT_AGENTS = ["claude-code", "codex", "gemini-cli"] as const;

export const PERIODS = ["daily", "weekly", "monthly", "session", "blocks"] as const;
type Period = (typeof PERIODS)[number];
const BUCKET: Partial<Record<Period, Extract<TimeBucket, "day" | "week" | "month">>> = {
  daily: "day",
  weekly: "week",
  monthly: "month",
};

interface ReportOptions extends RangeOptions, OutputOptions {
  readonly period?: Period;
  readonly groupBy?: Dimension[];
  readonly where?: WhereFilters;
  readonly breakdown?: boolean;
  readonly server?: string;
}

/** Measure fields in the order JSON and CSV print them (the names of RollupMeasures). */
export const MEASURE_KEYS = [
  "requests",
  "events",
  "inputTokens",
  "uncachedInputTokens",
  "cacheReadTokens",
  "cacheWriteTokens",
  "cacheWrite5mTokens",
  "cacheWrite1hTokens",
  "outputTokens",
  "reasoningTokens",
  "totalTokens",
  "costUsd",
  "unpricedEvents",
  "errorEvents",
] as const;

export function registerReport(program: Command, run: Runner): Command {
  const command = program
    .command("report")
    .description("Token and cost totals per period, grouped by any dimension.")
    .addOption(
      new Option(
        "-p, --period <period>",
        "daily, weekly, monthly, session, or blocks (rolling 5-hour windows)",
      ).choices(PERIODS),
    );
  addRangeOptions(command);
  addFilterOptions(command);
  command.option("-b, --breakdown", "one row per model inside each group");
  command.option(
    "--import [agents]",
    `import agent logs first (comma list of ${REPORT_IMPORT_AGENTS.join(", ")}; default all found)`,
  );
  command.option("--server <url>", SERVER_OPTION_HELP);
  addOutputOptions(command);
  command.addHelpText(
    "after",
    `
Examples:
  $ tokenledger report                                  # daily, all time, in your time zone
  $ tokenledger report -p monthly --group-by provider   # adds subscription and blended $/MTok columns when configured
  $ tokenledger report -p weekly --since 2026-10-01 --until 2026-10-31 --tz Europe/Paris
  $ tokenledger report -p session --where app=claude-code --breakdown
  $ tokenledger report -p blocks --since 2026-11-20
  $ tokenledger report --group-by team,feature --where environment=production --json
  $ TOKENLEDGER_API_KEY=tl_... tokenledger report --server https://ledger.example.com -p monthly --group-by team

JSON: { "rows": [ { "period", <dimension keys>, requests, events, inputTokens, uncachedInputTokens,
  cacheReadTokens, cacheWriteTokens, cacheWrite5mTokens, cacheWrite1hTokens, outputTokens, reasoningTokens,
  totalTokens, costUsd, unpricedEvents, errorEvents [, subscriptionCostUsd, totalCostUsd, blendedUsdPerMTok] } ],
  "totals": { same measures } }. Costs are exact decimal strings in USD.`,
  );
  command.action(
    run(async (ctx, opts: ReportOptions & { import?: string | boolean }) => {
      if (opts.import && opts.server)
        throw new TokenLedgerConfigError(
          "--import reads local agent logs: it does not combine with --server",
        );
      // Loaded only when asked for: the importers and the progress bar are most of a report's start-up otherwise.
      if (opts.import)
        await (await import("./import.js")).importBeforeReport(ctx, importAgentsOption(opts.import));
      await report(ctx, opts);
    }),
  );
  return command;
}

function importAgentsOption(value: string | true): string[] {
  if (value === true) return [...REPORT_IMPORT_AGENTS];
  const names = value.split(",").map((v) => v.trim());
  const bad = names.filter((n) => !(REPORT_IMPORT_AGENTS as readonly string[]).includes(n));
  if (bad.length > 0)
    throw new TokenLedgerConfigError(
      `--import: unknown agent ${bad.join(", ")} (expected ${REPORT_IMPORT_AGENTS.join(", ")})`,
    );
  return names;
}

async function report(ctx: CliContext, opts: ReportOptions): Promise<void> {
  const period: Period = opts.period ?? ctx.config.defaults?.period ?? "daily";
  const range = resolveRange(ctx, opts);
  const groupBy = reportGroupBy(ctx, opts, period);
  const where = toWhere(opts.where);
  if (serverFor(ctx, opts.server) && groupBy.includes("session"))
    throw new TokenLedgerConfigError(
      "--server: grouping by session is not available from a server (one group per session is unbounded; the server refuses it)",
    );
  if (period === "blocks") return reportBlocks(ctx, opts, range, where, groupBy);
  const source = await rollupSource(ctx, opts.server);

  const bucket = BUCKET[period];
  const query: RollupQuery = {
    ...(range.since ? { since: range.since } : {}),
    ...(range.until ? { until: range.until } : {}),
    groupBy,
    ...(bucket ? { bucket, timeZone: range.timeZone } : {}),
    ...(where ? { where } : {}),
    // Periods read in time order; a flat grouping reads biggest spender first.
    orderBy: bucket ? "period" : "cost",
  };
  ctx.debug(`rollup ${JSON.stringify(query)}`);
  const result = await source.rollup(query);
  const keys = [...(bucket ? ["period"] : []), ...groupBy];
  if (bucket && (await emitBlended(ctx, opts, result, bucket, groupBy, range, keys))) return;
  await emit(ctx, opts, result.rows, result.totals, keys, keys, false);
}

/** `--group-by` (or the config default), with `session` first for session periods and `model` for --breakdown. */
function reportGroupBy(ctx: CliContext, opts: ReportOptions, period: Period): Dimension[] {
  let groupBy: Dimension[] = [...(opts.groupBy ?? ctx.config.defaults?.groupBy ?? [])];
  if (period === "session" && !groupBy.includes("session")) groupBy = ["session", ...groupBy];
  if (opts.breakdown ?? ctx.config.defaults?.breakdown) {
    if (!groupBy.includes("model")) groupBy.push("model");
  }
  return groupBy;
}

/**
 * 5-hour billing blocks are computed from raw events (a block starts at the first event after the last one ended, so no
 * rollup can hold them): they read events (the local ledger's, or a server's through GET /api/v1/usage) and never
 * combine with a grouping.
 */
async function reportBlocks(
  ctx: CliContext,
  opts: ReportOptions,
  range: ReturnType<typeof resolveRange>,
  where: ReturnType<typeof toWhere>,
  groupBy: readonly Dimension[],
): Promise<void> {
  if (groupBy.length > 0)
    throw new Error(
      "--period blocks does not combine with --group-by or --breakdown (blocks are time windows)",
    );
  const source = await eventSource(ctx, opts.server);
  const blocks = await computeBlocks(
    source.events({
      ...(range.since ? { since: range.since } : {}),
      ...(range.until ? { until: range.until } : {}),
      ...(where ? { where } : {}),
    }),
    range.timeZone,
  );
  const totals = sumMeasures(blocks);
  await emit(
    ctx,
    opts,
    blocks,
    totals,
    ["period"],
    ["period", "blockStart", "blockEnd", "firstEventAt", "lastEventAt", "active"],
    false,
  );
}

/**
 * Periodic reports blend configured subscriptions in. Returns false (nothing printed) when there are none or
 * none fits this grouping, so the caller prints the plain metered report instead.
 */
async function emitBlended(
  ctx: CliContext,
  opts: ReportOptions,
  result: Awaited<ReturnType<Awaited<ReturnType<typeof rollupSource>>["rollup"]>>,
  bucket: NonNullable<(typeof BUCKET)[Period]>,
  groupBy: readonly Dimension[],
  range: ReturnType<typeof resolveRange>,
  keys: readonly string[],
): Promise<boolean> {
  const subscriptions = ctx.config.subscriptions ?? [];
  if (subscriptions.length === 0) return false;
  const blended = blendSubscriptions({
    rows: result.rows,
    totals: result.totals,
    bucket,
    groupBy,
    subscriptions,
    timeZone: range.timeZone,
    ...(range.since ? { since: range.since } : {}),
    ...(range.until ? { until: range.until } : {}),
  });
  if (blended.skipped.length > 0) {
    ctx.note(
      `note: subscriptions ${blended.skipped.join(", ")} are not shown in this grouping; group by provider (or app for tool plans), or none.`,
    );
  }
  if (blended.skipped.length === subscriptions.length) return false;
  await emit(ctx, opts, blended.rows, blended.totals, keys, keys, true);
  return true;
}

type AnyRow = Readonly<Record<string, unknown>>;
const asRows = (rows: readonly object[]) => rows as readonly AnyRow[];

/** Print rows as JSON, CSV or a table. Empty results: `{"rows":[],...}`, a header-only CSV, or a notice. */
export async function emit(
  ctx: CliContext,
  opts: OutputOptions,
  rowObjects: readonly object[],
  totalsObject: object,
  tableKeys: readonly string[],
  dataKeys: readonly string[],
  blended: boolean,
): Promise<void> {
  const rows = asRows(rowObjects).map(withUnknownCost);
  const totals = withUnknownCost(totalsObject as AnyRow);
  const extraKeys = blended ? ["subscriptionCostUsd", "totalCostUsd", "blendedUsdPerMTok"] : [];
  const columns = [...dataKeys, ...MEASURE_KEYS, ...extraKeys];
  if (opts.json) {
    const pick = (r: AnyRow, keys: readonly string[]) =>
      Object.fromEntries(keys.map((k) => [k, r[k] ?? null]));
    await ctx.out(
      `${JSON.stringify({ rows: rows.map((r) => pick(r, columns)), totals: pick(totals, [...MEASURE_KEYS, ...extraKeys]) }, null, 2)}\n`,
    );
    return;
  }
  if (opts.csv) {
    await ctx.out(toCsv(columns, rows));
    return;
  }
  if (rows.length === 0) {
    ctx.note("No usage found for this selection.");
    return;
  }
  await ctx.out(renderReport(rows, totals, tableKeys, ctx.colors, blended ? BLENDED_COLUMNS : []));
  if (Number(totals.unpricedEvents ?? 0) > 0) {
    ctx.note(
      `* ${String(totals.unpricedEvents)} event(s) have no price and are not in the cost; run \`tokenledger prices check\`.`,
    );
  }
}
