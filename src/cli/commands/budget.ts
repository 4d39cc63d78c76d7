import type { Command } from "commander";
import { TokenLedgerConfigError } from "../../core/errors.js";
import { budgetStatuses } from "../../budgets/status.js";
import { FORECAST_ALERT_THRESHOLD } from "../../budgets/alerts/outbox.js";
import { rebuildBudget } from "../../budgets/rebuild.js";
import type { BudgetStore } from "../../budgets/store.js";
import { parseBudget } from "../../budgets/validate.js";
import type { CliContext } from "../context.js";
import { syncConfigBudgets } from "../config-budgets.js";
import type { Runner } from "../program.js";
import { auditFromCli } from "../server-ledger.js";
import {
  downgradeMap,
  line,
  rateOptions,
  statusLine,
  thresholdList,
  type SetOptions,
} from "./budget-format.js";

/** The ledger's budget store, with the config file's budgets synced into it first (the file wins for those). */
async function budgetStore(ctx: CliContext): Promise<BudgetStore> {
  const storage = (await ctx.storage()) as { budgets?: BudgetStore; kind?: string };
  if (!storage.budgets)
    throw new TokenLedgerConfigError(
      `budgets need a SQLite or PostgreSQL ledger (--db); this ledger is ${storage.kind ?? "unknown"}`,
    );
  await syncConfigBudgets(ctx, storage.budgets);
  return storage.budgets;
}

/** A budget the config file declares is edited in the file: the next start would undo a CLI edit. */
async function refuseManaged(store: BudgetStore, id: string): Promise<void> {
  const b = (await store.list()).find((x) => x.id === id);
  if (b?.managedBy)
    throw new TokenLedgerConfigError(
      `budget ${JSON.stringify(id)} is declared in ${b.managedBy} (budgets:); edit it there, the file is its source of truth`,
    );
}

const unknownBudget = (id: string) =>
  new TokenLedgerConfigError(`budget ${JSON.stringify(id)} does not exist (see budget list)`);

async function setBudget(ctx: CliContext, o: SetOptions): Promise<void> {
  const b = parseBudget({
    ...(o.id ? { id: o.id } : {}),
    scope: o.scope,
    ...(o.scopeId !== undefined ? { scopeId: o.scopeId } : {}),
    period: o.period,
    amountUsd: o.amount,
    ...(o.action ? { action: o.action } : {}),
    timeZone: o.tz ?? ctx.config.timezone ?? "UTC",
    ...(o.weekStart !== undefined ? { weekStart: Number(o.weekStart) } : {}),
    ...(o.start !== undefined ? { start: o.start } : {}),
    ...(o.end !== undefined ? { end: o.end } : {}),
    ...(o.thresholds ? { thresholds: thresholdList(o.thresholds) } : {}),
    ...(o.downgrade ? { downgradeMap: downgradeMap(o.downgrade) } : {}),
    ...rateOptions(o),
  });
  const store = await budgetStore(ctx);
  await refuseManaged(store, b.id);
  const before = (await store.list()).find((x) => x.id === b.id);
  await store.put(b);
  await auditFromCli(ctx, before ? "budget.update" : "budget.create", b.id, {
    ...(before ? { before } : {}),
    after: b,
  });
  await ctx.out(o.json ? `${JSON.stringify(b, null, 2)}\n` : `Budget set: ${line(b)}\n`);
}

function registerSet(budget: Command, run: Runner): void {
  budget
    .command("set")
    .alias("add")
    .description("Create or replace a budget (same --id replaces).")
    .requiredOption("--scope <scope>", "org, team, user, project, feature or cost_center")
    .option("--scope-id <id>", "the team/user/... id (not for org)")
    .requiredOption("--period <period>", "day, week, month (calendar, in --tz) or custom (--start, --end)")
    .requiredOption("--amount <usd>", "limit in USD, a decimal (e.g. 25.00)")
    .option("--action <action>", "block (default), rate_limit, downgrade or notify")
    .option("--id <id>", "budget id (default: derived from scope and period)")
    .option("--tz <zone>", "IANA time zone of the period boundaries (default: config timezone, else UTC)")
    .option("--week-start <n>", "ISO weekday weeks start on: 1 = Monday (default) … 7 = Sunday")
    .option(
      "--start <date>",
      "for --period custom: first local date or datetime (2026-03-01, 2026-03-01T09:00)",
    )
    .option("--end <date>", "for --period custom: local date or datetime it ends at, exclusive")
    .option("--thresholds <list>", "alert percents, default 50,75,90,100")
    .option("--downgrade <map>", "for --action downgrade: model=cheaper-model[,…]")
    .option("--requests-per-minute <n>", "for --action rate_limit: calls per minute in the scope")
    .option("--tokens-per-minute <n>", "for --action rate_limit: estimated tokens per minute in the scope")
    .option("--usd-per-minute <usd>", "for --action rate_limit: estimated USD per minute in the scope")
    .option("--json", "print the stored budget as JSON")
    .action(run(setBudget));
}

function registerList(budget: Command, run: Runner): void {
  budget
    .command("list")
    .description("List budgets.")
    .option("--json", "print as JSON")
    .action(
      run(async (ctx, o: { json?: boolean }) => {
        const all = await (await budgetStore(ctx)).list();
        if (o.json) await ctx.out(`${JSON.stringify(all, null, 2)}\n`);
        else await ctx.out(all.length ? `${all.map(line).join("\n")}\n` : "No budgets.\n");
      }),
    );
}

function registerStatus(budget: Command, run: Runner): void {
  budget
    .command("status")
    .description(
      "Spent, reserved, remaining, percent and period-end forecast of each budget in its current period.",
    )
    .option("--json", "print as JSON")
    .action(
      run(async (ctx, o: { json?: boolean }) => {
        const store = await budgetStore(ctx);
        const rows = await budgetStatuses(store, { ledger: await ctx.storage() });
        if (o.json) return ctx.out(`${JSON.stringify(rows, null, 2)}\n`);
        if (rows.length === 0) return ctx.out("No budgets.\n");
        const tty = process.stdout.isTTY === true;
        for (const r of rows) await ctx.out(statusLine(r, tty));
      }),
    );
}

function registerDelete(budget: Command, run: Runner): void {
  budget
    .command("delete")
    .alias("rm")
    .description("Delete a budget and its counters.")
    .argument("<id>", "budget id")
    .action(
      run(async (ctx, id: string) => {
        const store = await budgetStore(ctx);
        await refuseManaged(store, id);
        const before = (await store.list()).find((x) => x.id === id);
        if (!(await store.remove(id))) throw unknownBudget(id);
        await auditFromCli(ctx, "budget.delete", id, { before });
        await ctx.out(`Deleted budget ${id}\n`);
      }),
    );
}

async function rebuild(ctx: CliContext, id: string | undefined, o: { json?: boolean; at?: string }) {
  const at = o.at === undefined ? Date.now() : Date.parse(o.at);
  if (Number.isNaN(at))
    throw new TokenLedgerConfigError(
      `--at: ${JSON.stringify(o.at)} is not a date (2026-03-01 or an ISO time)`,
    );
  const store = await budgetStore(ctx);
  const all = await store.list();
  const chosen = id === undefined ? all : all.filter((b) => b.id === id);
  if (id !== undefined && chosen.length === 0) throw unknownBudget(id);
  const storage = await ctx.storage();
  const rows = [];
  for (const b of chosen) rows.push(await rebuildBudget(store, storage, b, at));
  if (o.json) return ctx.out(`${JSON.stringify(rows, null, 2)}\n`);
  for (const r of rows)
    await ctx.out(
      `${r.budgetId}  ${r.periodKey}  spent $${r.beforeUsd} -> $${r.afterUsd}` +
        `${r.unpricedEvents ? `  (${r.unpricedEvents} unpriced events add nothing)` : ""}\n`,
    );
}

function registerRebuild(budget: Command, run: Runner): void {
  budget
    .command("rebuild")
    .description("Recompute budgets' spent this period from the recorded events (the counters are a cache).")
    .argument("[id]", "budget id (default: every budget)")
    .option("--at <time>", "rebuild the period containing this date or ISO time (default: now)")
    .option("--json", "print as JSON")
    .action(run(rebuild));
}

async function ack(ctx: CliContext, id: string, o: { threshold: string; by: string }): Promise<void> {
  const store = await budgetStore(ctx);
  const s = (await budgetStatuses(store)).find((x) => x.budget.id === id);
  if (!s) throw unknownBudget(id);
  const threshold = o.threshold === "forecast" ? FORECAST_ALERT_THRESHOLD : Number(o.threshold);
  const n = await store.ack(id, s.periodKey, threshold, o.by, Date.now());
  if (n > 0) await auditFromCli(ctx, "alert.ack", id, { periodKey: s.periodKey, threshold, by: o.by });
  await ctx.out(
    n
      ? `Acknowledged ${id} ${o.threshold}% (${s.periodKey})\n`
      : `No ${o.threshold}% alert for ${id} this period\n`,
  );
}

function registerAck(budget: Command, run: Runner): void {
  budget
    .command("ack")
    .description("Acknowledge an alert: the same threshold never re-sends this period; higher ones still do.")
    .argument("<id>", "budget id")
    .requiredOption("--threshold <percent>", "the alert's threshold, or `forecast` for the forecast alert")
    .option("--by <name>", "who acknowledged", process.env.USER ?? "cli")
    .action(run(ack));
}

export function registerBudget(program: Command, run: Runner): Command {
  const budget = program
    .command("budget")
    .description(
      "Spending budgets per org, team, user, project, feature or cost center, with alerts and enforcement.",
    )
    .addHelpText(
      "after",
      `\nExamples:\n  $ tokenledger budget set --scope team --scope-id search --period month --amount 500\n  $ tokenledger budget status`,
    );
  for (const register of [
    registerSet,
    registerList,
    registerStatus,
    registerDelete,
    registerRebuild,
    registerAck,
  ])
    register(budget, run);
  return budget;
}
