import type { Command } from "commander";
import { adviceReport, type AdviceReport } from "../../advice/report.js";
import type { CliContext } from "../context.js";
import { parseGroupBy } from "../flags.js";
import { formatUsd } from "../format/money.js";
import type { Runner } from "../program.js";
import { addRangeOptions, resolveRange, type RangeOptions } from "../shared-options.js";
import type { Dimension } from "../../core/query.js";

interface AdviceOptions extends RangeOptions {
  readonly batchFeatures?: string;
  readonly minSavings?: string;
  readonly anomalyBy?: Dimension[];
  readonly json?: boolean;
}

const DESCRIPTION =
  "Savings advice, cost anomalies and a month-end forecast, computed from the ledger's own events.";

export function registerAdvice(program: Command, run: Runner): Command {
  const command = program.command("advice").description(DESCRIPTION);
  addRangeOptions(command);
  command
    .option("--batch-features <list>", "comma list of features that are latency-tolerant (batch candidates)")
    .option("--min-savings <usd>", "smallest estimated monthly saving to show (default 1)", parseUsd)
    .option(
      "--anomaly-by <dims>",
      "dimensions checked for anomalies besides the total (default model,feature)",
      parseGroupBy,
    )
    .option("--json", "print the whole report as JSON (see OUTPUT.md)")
    .addHelpText(
      "after",
      `
Examples:
  $ tokenledger advice                                   # the last 30 days
  $ tokenledger advice --since 2026-11-01 --batch-features nightly-summaries
  $ tokenledger advice --json | jq '.recommendations[0].evidence'

Every saving is the window's token mix × catalog rates (estimates, shown with evidence and assumptions); models
without a price get no advice. Anomalies: a day whose spend passes the trailing 28-day median by a modified z-score
above 3.5, at least $5 and 50 %, once a scope has 7 days of history. The forecast has no weekday or trend model.`,
    )
    .action(run((ctx, opts: AdviceOptions) => advice(ctx, opts)));
  return command;
}

// Kept as the decimal string it was typed as: savings are compared exactly (decimal.js), never as floats.
function parseUsd(value: string): string {
  if (!/^\d+(\.\d+)?$/.test(value))
    throw new Error(`--min-savings: expected a USD amount like 5 or 0.5, got "${value}"`);
  return value;
}

async function advice(ctx: CliContext, opts: AdviceOptions): Promise<void> {
  const range = resolveRange(ctx, opts);
  // Read-only: advice on a ledger that does not exist yet is an error, not a new empty file.
  const storage = await ctx.existingStorage();
  const pricer = await ctx.pricer();
  const batchFeatures = opts.batchFeatures
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const report = await adviceReport(storage, {
    pricer,
    timeZone: range.timeZone,
    ...(range.since ? { since: range.since } : {}),
    ...(range.until ? { until: range.until } : {}),
    ...(batchFeatures ? { batchFeatures } : {}),
    ...(opts.minSavings ? { minMonthlySavingsUsd: opts.minSavings } : {}),
    ...(opts.anomalyBy ? { anomalyDimensions: opts.anomalyBy } : {}),
  });
  // --json prints the report object as the SDK's adviceReport returns it: one shape for scripts and code.
  if (opts.json) {
    await ctx.out(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  await ctx.out(renderText(report));
}

/** The human report: every saving shows its evidence and assumptions, since each is an estimate, not a bill. */
function renderText(r: AdviceReport): string {
  const lines: string[] = [
    `Window: ${r.since} to ${r.until} (${r.windowDays.toFixed(1)} days)`,
    "",
    "Savings (estimates):",
  ];
  if (r.recommendations.length === 0) lines.push("  none above the floor");
  for (const rec of r.recommendations) {
    const e = rec.evidence;
    const where = `${rec.scope.provider}/${rec.scope.model}${rec.scope.feature ? ` [${rec.scope.feature}]` : ""}`;
    const what =
      rec.type === "batch"
        ? `batch API for ${where}: ${formatUsd(e.alternativeCostUsd)} instead of ${formatUsd(e.currentCostUsd)}`
        : `${where} → ${e.alternativePricingKey}: ${formatUsd(e.alternativeCostUsd)} instead of ${formatUsd(e.currentCostUsd)}`;
    lines.push(`  ${what}; ~${formatUsd(rec.estMonthlySavingsUsd)}/month (confidence ${rec.confidence})`);
    lines.push(
      `    evidence: ${e.requests} requests, ${e.uncachedInputTokens} input + ${e.cacheReadTokens} cached + ${e.cacheWriteTokens} cache-write + ${e.outputTokens} output tokens`,
    );
    lines.push(`    caveat: ${rec.caveat}`);
    lines.push(`    assumes: ${rec.assumptions.join("; ")}`);
  }
  lines.push("", `Anomalies (${r.anomalyDaysChecked} scope-days checked):`);
  if (r.anomalies.length === 0) lines.push("  none");
  for (const a of r.anomalies) {
    lines.push(
      `  ${a.date} ${a.dimension === "total" ? "total" : `${a.dimension}=${a.value}`}: ${formatUsd(a.actual)} vs expected ${formatUsd(a.expected)} (upper ${formatUsd(a.upper)}), +${formatUsd(a.impactUsd)}`,
    );
    if (a.drivers.length > 0)
      lines.push(
        `    drivers: ${a.drivers.map((d) => `${d.dimension}=${d.value} +${formatUsd(d.deltaUsd)}`).join(", ")}`,
      );
  }
  const f = r.forecast;
  lines.push("", `Forecast ${f.month}: spent ${formatUsd(f.spentUsd)} so far`);
  if (f.status === "insufficient_data") lines.push(`  ${f.note}`);
  else
    lines.push(
      `  month end: ${formatUsd(f.medianUsd)} at the recent median of ${formatUsd(f.recentDailyMedianUsd)}/day; ${formatUsd(f.linearUsd)} on a straight line`,
      `  ${f.note}`,
    );
  return `${lines.join("\n")}\n`;
}
