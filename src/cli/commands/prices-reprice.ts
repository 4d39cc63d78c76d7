import type { Command } from "commander";
import { planReprice, type RepriceModelChange } from "../../pricing/reprice.js";
import type { CliContext } from "../context.js";
import { formatCount, formatUsd } from "../format/money.js";
import { renderTable } from "../format/table.js";
import type { Runner } from "../program.js";

interface RepriceCliOptions {
  readonly since?: string;
  readonly model?: string;
  readonly dryRun?: boolean;
  readonly json?: boolean;
}

/** `tokenledger prices reprice --dry-run`: what pricing the stored events with today's prices would change. */
export function registerPricesReprice(prices: Command, run: Runner): void {
  prices
    .command("reprice")
    .description(
      "Price stored events again with the current prices (each at its own time) and show the before/after totals.",
    )
    .option("--since <date>", "only events at or after this date")
    .option("--model <pattern>", "only models matching this pattern (* matches anything)")
    .option("--dry-run", "show what would change without writing (required for now)")
    .option("--json", "print the plan as JSON")
    .addHelpText(
      "after",
      `\nExamples:\n  $ tokenledger prices reprice --dry-run\n  $ tokenledger prices reprice --since 2026-11-01 --model 'gpt-5*' --dry-run --json`,
    )
    .action(run((ctx, opts: RepriceCliOptions) => reprice(ctx, opts)));
}

async function reprice(ctx: CliContext, opts: RepriceCliOptions): Promise<void> {
  if (!opts.dryRun)
    throw new Error(
      "prices reprice: writing repriced costs to the ledger is not available yet, so nothing was changed; add --dry-run to see the before/after totals",
    );
  let since: Date | undefined;
  if (opts.since !== undefined) {
    since = new Date(opts.since);
    if (Number.isNaN(since.getTime())) throw new Error(`--since "${opts.since}" is not a date`);
  }
  const storage = await ctx.existingStorage();
  const pricer = await ctx.pricer();
  const plan = await planReprice(
    storage.events(since ? { since } : {}),
    pricer,
    opts.model ? { model: opts.model } : {},
  );
  if (opts.json) {
    await ctx.out(`${JSON.stringify({ dryRun: true, ...plan }, null, 2)}\n`);
    return;
  }
  await ctx.out(
    `Scanned ${formatCount(plan.scanned)} events: ${formatCount(plan.changed)} would change (${formatCount(plan.newlyPriced)} newly priced), ` +
      `${formatCount(plan.keptProvided)} provided costs kept.\nTotal before ${formatUsd(plan.beforeUsd)} → after ${formatUsd(plan.afterUsd)} (dry run: nothing written).\n`,
  );
  if (plan.models.length === 0) return;
  await ctx.out(
    renderTable(
      [
        { header: "Provider", value: (m: RepriceModelChange) => m.provider, align: "left" },
        { header: "Model", value: (m: RepriceModelChange) => m.model, align: "left" },
        { header: "Events", value: (m: RepriceModelChange) => formatCount(m.events) },
        { header: "Newly priced", value: (m: RepriceModelChange) => formatCount(m.newlyPriced) },
        { header: "Before", value: (m: RepriceModelChange) => formatUsd(m.beforeUsd) },
        { header: "After", value: (m: RepriceModelChange) => formatUsd(m.afterUsd) },
      ],
      plan.models,
      null,
      ctx.colors,
    ),
  );
}
