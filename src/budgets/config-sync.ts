import { resolve } from "node:path";
import type { BudgetStore } from "./store.js";
import type { Budget, BudgetInput } from "./types.js";
import { parseBudget } from "./validate.js";

/**
 * The budgets a config file declares, parsed and marked as managed by that file. A budget without `timeZone`
 * takes the file's `timezone`, else UTC.
 */
export function declaredBudgets(
  budgets: readonly BudgetInput[],
  filepath: string,
  defaultTimeZone?: string,
): Budget[] {
  const source = resolve(filepath);
  return budgets.map((b) => ({
    ...parseBudget({ ...b, timeZone: b.timeZone ?? defaultTimeZone }),
    managedBy: source,
  }));
}

export interface SyncResult {
  /** Budgets written from the file (new, changed or unchanged: the file wins). */
  readonly written: readonly string[];
  /** Budgets this file declared before and no longer does. */
  readonly removed: readonly string[];
}

/**
 * Make the store match the config file for the budgets it declares (run on start). The file is the source of
 * truth for them: each declared budget is written over whatever the store holds under its id (an edit made with
 * the CLI or SDK is undone at the next start; the CLI refuses such edits), and a budget this same file declared
 * before but no longer does is removed. Budgets created through the CLI or SDK under other ids are left alone.
 * Spend counters are kept: changing a budget's amount keeps the period's spend.
 */
export async function syncDeclaredBudgets(
  store: BudgetStore,
  declared: readonly Budget[],
  now = Date.now(),
): Promise<SyncResult> {
  const sources = new Set(declared.map((b) => b.managedBy).filter((s): s is string => !!s));
  const ids = new Set(declared.map((b) => b.id));
  const current = await store.list();
  const byId = new Map(current.map((b) => [b.id, b]));
  const written: string[] = [];
  for (const b of declared) {
    if (!sameBudget(byId.get(b.id), b)) await store.put(b, now);
    written.push(b.id);
  }
  const removed: string[] = [];
  for (const b of current)
    if (b.managedBy && sources.has(b.managedBy) && !ids.has(b.id)) {
      await store.remove(b.id);
      removed.push(b.id);
    }
  return { written, removed };
}

/** Unchanged definitions are not rewritten (N processes starting together do not all write). */
function sameBudget(a: Budget | undefined, b: Budget): boolean {
  return a !== undefined && JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(b: Budget): unknown[] {
  return [
    b.id,
    b.scope,
    b.scopeId,
    b.period,
    b.timeZone,
    b.weekStart,
    b.amountUsd,
    b.action,
    b.thresholds,
    Object.entries(b.downgradeMap).sort(),
    b.rateLimit?.requestsPerMinute ?? null,
    b.rateLimit?.tokensPerMinute ?? null,
    b.rateLimit?.usdPerMinute ?? null,
    b.managedBy ?? null,
    b.start ?? null,
    b.end ?? null,
  ];
}
