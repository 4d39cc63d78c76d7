import type { Dimension, RollupQuery, RollupResult } from "../core/query.js";
import { budgetWindow } from "./period.js";
import type { BudgetStore } from "./store.js";
import type { Budget, BudgetScope } from "./types.js";

const SCOPE_DIMENSION: Record<Exclude<BudgetScope, "org">, Dimension> = {
  team: "team",
  user: "user",
  project: "project",
  feature: "feature",
  cost_center: "cost_center",
};

/** The rollup filter selecting a budget's scope (none for `org`). */
export function scopeWhere(budget: Budget): RollupQuery["where"] {
  return budget.scope === "org" ? undefined : { [SCOPE_DIMENSION[budget.scope]]: budget.scopeId };
}

export interface RebuildResult {
  readonly budgetId: string;
  readonly periodKey: string;
  readonly beforeUsd: string;
  readonly afterUsd: string;
  /** Events in the scope and period without a price: they add nothing (as in every report). */
  readonly unpricedEvents: number;
}

/**
 * Recompute a budget's spent for the period containing `at` from the recorded events (the ledger's truth): the
 * exact decimal sum of their cost over the scope's attribution value, in the budget's calendar period and zone.
 * The counter is a cache of settled costs; this repairs it after a crash between a call and its settle, a
 * restore, or events recorded outside the gate (imports). Reserved is kept. Events still buffered in a running
 * process are not in the ledger yet, so run it when calls are quiet for an exact figure.
 */
export async function rebuildBudget(
  store: BudgetStore,
  ledger: { rollup(q: RollupQuery): Promise<RollupResult> },
  budget: Budget,
  at = Date.now(),
): Promise<RebuildResult> {
  const w = budgetWindow(at, budget);
  const where = scopeWhere(budget);
  const r = await ledger.rollup({
    since: new Date(w.start),
    until: new Date(w.end),
    ...(where ? { where } : {}),
  });
  const before = await store.setSpent(budget.id, w.key, r.totals.costUsd);
  return {
    budgetId: budget.id,
    periodKey: w.key,
    beforeUsd: before.spentUsd,
    afterUsd: r.totals.costUsd,
    unpricedEvents: r.totals.unpricedEvents,
  };
}
