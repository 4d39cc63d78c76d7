import { Dec } from "../pricing/decimal.js";
import { periodWindow } from "./period.js";
import type { BudgetStore } from "./store.js";
import type { Budget } from "./types.js";

/** One budget's state in its current period (all amounts decimal USD strings). */
export interface BudgetStatus {
  readonly budget: Budget;
  readonly periodKey: string;
  readonly periodEnd: string;
  readonly spentUsd: string;
  readonly reservedUsd: string;
  readonly remainingUsd: string;
  /** Spent as a percent of the amount, two decimals. */
  readonly percentUsed: number;
}

export async function budgetStatuses(store: BudgetStore, now = Date.now()): Promise<BudgetStatus[]> {
  const out: BudgetStatus[] = [];
  for (const budget of await store.list()) {
    const w = periodWindow(now, budget.period, budget.timeZone, budget.weekStart);
    const c = await store.counter(budget.id, w.key);
    const used = new Dec(c.spentUsd).plus(c.reservedUsd);
    const remaining = Dec.max(0, new Dec(budget.amountUsd).minus(used));
    out.push({
      budget,
      periodKey: w.key,
      periodEnd: new Date(w.end).toISOString(),
      spentUsd: c.spentUsd,
      reservedUsd: c.reservedUsd,
      remainingUsd: remaining.toFixed(),
      percentUsed: Number(new Dec(c.spentUsd).div(budget.amountUsd).times(100).toFixed(2)),
    });
  }
  return out;
}
