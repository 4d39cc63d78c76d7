import type { Command } from "commander";
import { auditCliAction } from "../audit-actions.js";
import { applyReprice } from "../../pricing/reprice-apply.js";
import type { RepriceModelChange } from "../../pricing/reprice.js";
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

/**
 * `tokenledger prices reprice [--dry-run]` (also `tokenledger reprice`): price the stored events again with today's
 * prices and write the changes.
 */
export function registerPricesReprice(parent: Command, run: Runner): Command {
  return parent
    .command("reprice")
    .description(
      "Price stored events again with the current prices (each at its own time), write the changed costs and show the before/after totals.",
    )
    .option("--since <date>", "only events at or after this date")
    .option("--model <pattern>", "only models matching this pattern (* matches anything)")
    .option("--dry-run", "show what would change without writing anything")
    .option("--json", "print the summary as JSON")
    .addHelpText(
      "after",
      `\nProvided costs (from the provider or an agent log) are kept; only events whose cost changes are rewritten,\nand events and rollups change together in one transaction.\n\nExamples:\n  $ tokenledger reprice --dry-run\n  $ tokenledger prices reprice --since 2026-11-01 --model 'gpt-5*' --json`,
    )
    .action(run((ctx, opts: RepriceCliOptions) => reprice(ctx, opts)));
}

async function reprice(ctx: CliContext, opts: RepriceCliOptions): Promise<void> {
  let since: Date | undefined;
  if (opts.since !== undefined) {
    since = new Date(opts.since);
    if (Number.isNaN(since.getTime())) throw new Error(`--since "${opts.since}" is not a date`);
  }
  // A blank --model (often an unset shell variable) is refused rather than read as a pattern.
  if (opts.model !== undefined && opts.model.trim() === "")
    throw new Error("--model needs a model name or pattern");
  const dryRun = opts.dryRun === true;
  const storage = await ctx.existingStorage();
  const pricer = await ctx.pricer();
  const plan = await applyReprice(storage, pricer, {
    ...(since ? { since } : {}),
    ...(opts.model !== undefined ? { model: opts.model } : {}),
    dryRun,
  });
  // Only a real rewrite is audited: a dry run changes nothing in the ledger, so it leaves no trail entry.
  if (!dryRun)
    await auditCliAction(ctx, "prices.reprice", opts.model ?? null, {
      since: since?.toISOString() ?? null,
      scanned: plan.scanned,
      changed: plan.changed,
      written: plan.written,
      beforeUsd: plan.beforeUsd,
      afterUsd: plan.afterUsd,
    });
  if (opts.json) {
    await ctx.out(`${JSON.stringify({ dryRun, ...plan }, null, 2)}\n`);
    return;
  }
  const verb = dryRun ? "would change" : "changed";
  const tail = dryRun ? "dry run: nothing written" : `${formatCount(plan.written)} events rewritten`;
  await ctx.out(
    `Scanned ${formatCount(plan.scanned)} events: ${formatCount(plan.changed)} ${verb} (${formatCount(plan.newlyPriced)} newly priced), ` +
      `${formatCount(plan.keptProvided)} provided costs kept.\nTotal before ${formatUsd(plan.beforeUsd)} → after ${formatUsd(plan.afterUsd)} (${tail}).\n`,
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
