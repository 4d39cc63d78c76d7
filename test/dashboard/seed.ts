// A small ledger with known figures for the dashboard test: events over the last five days across models,
// providers, users, teams, projects and features; one budget with settled spend; two open budget alerts.
import { Decimal } from "decimal.js";
import type { LedgerEvent } from "tokenledger";
import type { SqliteStorage } from "tokenledger/sqlite";
import { parseBudget } from "tokenledger";
import { periodWindow } from "tokenledger";
import { ledgerEvent } from "../contract/ledger-events.js";

const MODELS = [
  { provider: "openai", model: "gpt-4o", cost: "0.012345678901" },
  { provider: "openai", model: "gpt-4o-mini", cost: "0.000712345678" },
  { provider: "anthropic", model: "claude-sonnet-4", cost: "0.031234567891" },
] as const;

export interface SeededLedger {
  readonly events: readonly LedgerEvent[];
  /** Sum of the events' costs, exact. */
  readonly totalCostUsd: string;
  readonly budgetId: string;
}

export async function seedDashboardLedger(storage: SqliteStorage, now = Date.now()): Promise<SeededLedger> {
  const events: LedgerEvent[] = [];
  for (let i = 0; i < 240; i++) {
    const m = MODELS[i % 3 === 2 ? 2 : i % 5 === 0 ? 1 : 0]!;
    events.push(
      ledgerEvent({
        at: now - 5 * 86_400_000 + i * 1_790_000,
        provider: m.provider,
        model: m.model,
        costUsd: m.cost,
        status: i % 40 === 0 ? "error" : "ok",
        latencyMs: 300 + ((i * 37) % 900),
        timeToFirstTokenMs: 80 + ((i * 13) % 300),
        userId: `user-${i % 7}`,
        teamId: `team-${i % 3}`,
        projectId: `project-${i % 4}`,
        feature: i % 2 ? "chat" : "search",
      }),
    );
  }
  await storage.insertBatch(events);
  const total = events.reduce((s, e) => s.plus(e.costUsd ?? 0), new Decimal(0)).toFixed();

  const budget = parseBudget({
    id: "org-monthly",
    scope: "org",
    period: "month",
    amountUsd: "10",
    thresholds: [50, 75, 90],
  });
  await storage.budgets.put(budget, now);
  const periodKey = periodWindow(now, budget.period, budget.timeZone, budget.weekStart).key;
  await storage.budgets.reserve({
    id: "seed-reservation",
    items: [{ budget, periodKey }],
    amountUsd: "8",
    expiresAt: now + 60_000,
    now,
  });
  await storage.budgets.settle("seed-reservation", "7.6");
  for (const threshold of [50, 75]) {
    const payload = {
      type: "budget.threshold",
      budget_id: budget.id,
      scope: "org",
      scope_id: "*",
      period: "month",
      period_key: periodKey,
      period_start: "",
      period_end: "",
      threshold,
      budget_percentage_used: 76,
      spent_usd: "7.6",
      limit_usd: "10",
      blocked: false,
    };
    await storage.budgets.claimAlert(
      { budgetId: budget.id, periodKey, threshold, channel: "webhook" },
      JSON.stringify(payload),
      now - (100 - threshold) * 1000,
    );
  }
  return { events, totalCostUsd: total, budgetId: budget.id };
}
