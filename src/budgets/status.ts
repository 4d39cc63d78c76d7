import type { SpendProjection } from "../advice/forecast.js";
import { Dec } from "../pricing/decimal.js";
import { budgetForecast, type RollupSource } from "./forecast.js";
import { budgetWindow, inPeriod } from "./period.js";
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
  /** Period-end spend (see `projectSpend`); absent when no ledger was given to read the daily history from. */
  readonly forecast?: SpendProjection;
  /** `forecast.forecastUsd` (the field the dashboard reads); null under insufficient data. */
  readonly forecastUsd?: string | null;
}

export interface BudgetStatusOptions {
  /** The ledger the daily spend history is read from (any StorageAdapter); without it, no forecast. */
  readonly ledger?: RollupSource;
  readonly now?: number;
}

/** Every budget's state in the period holding `now`, with its period-end forecast when `ledger` is given. */
export async function budgetStatuses(
  store: BudgetStore,
  options: BudgetStatusOptions = {},
): Promise<BudgetStatus[]> {
  const out: BudgetStatus[] = [];
  for (const budget of await store.list()) out.push(await budgetStatus(store, budget, options));
  return out;
}

export async function budgetStatus(
  store: BudgetStore,
  budget: Budget,
  { ledger, now = Date.now() }: BudgetStatusOptions = {},
): Promise<BudgetStatus> {
  const w = budgetWindow(now, budget);
  const c = await store.counter(budget.id, w.key);
  const used = new Dec(c.spentUsd).plus(c.reservedUsd);
  const remaining = Dec.max(0, new Dec(budget.amountUsd).minus(used));
  // A custom range not yet started or already over has nothing to project.
  const forecast =
    ledger && inPeriod(now, budget, w) ? await budgetForecast(ledger, budget, c.spentUsd, now) : undefined;
  return {
    budget,
    periodKey: w.key,
    periodEnd: new Date(w.end).toISOString(),
    spentUsd: c.spentUsd,
    reservedUsd: c.reservedUsd,
    remainingUsd: remaining.toFixed(),
    percentUsed: Number(new Dec(c.spentUsd).div(budget.amountUsd).times(100).toFixed(2)),
    ...(forecast ? { forecast, forecastUsd: forecast.forecastUsd } : {}),
  };
}
