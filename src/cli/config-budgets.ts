import { declaredBudgets, syncDeclaredBudgets } from "../budgets/config-sync.js";
import type { BudgetStore } from "../budgets/store.js";
import type { CliContext } from "./context.js";

/**
 * Syncs the config file's `budgets:` into the ledger's store (the file is the source of truth for the budgets it
 * declares). Every command that reads or enforces budgets calls it first: `budget …`, `serve`, `proxy`.
 */
export async function syncConfigBudgets(ctx: CliContext, store: BudgetStore): Promise<void> {
  if (!ctx.config.budgets || !ctx.configPath) return;
  const declared = declaredBudgets(ctx.config.budgets, ctx.configPath, ctx.config.timezone);
  const r = await syncDeclaredBudgets(store, declared);
  if (r.removed.length > 0)
    ctx.note(`Removed budgets no longer in ${ctx.configPath}: ${r.removed.join(", ")}`);
}
