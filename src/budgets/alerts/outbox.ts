import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from "../../core/backoff.js";
import { Dec } from "../../pricing/decimal.js";
import type { AlertKey, BudgetStore } from "../store.js";
import type { Budget, PeriodWindow } from "../types.js";
import type { AlertChannel, BudgetAlert } from "./channel.js";

export interface AlertOutboxOptions {
  /** How long one process may hold an alert while delivering it before another may take over. */
  readonly leaseMs?: number;
  readonly backoff?: BackoffPolicy;
  /** Delivery failures (after which the alert waits for its retry). */
  readonly onError?: (message: string) => void;
}

/** Thresholds (percent) that `before → after` crosses: `before < t% · limit ≤ after`. */
export function crossedThresholds(budget: Budget, beforeUsd: string, afterUsd: string): number[] {
  const limit = new Dec(budget.amountUsd);
  const before = new Dec(beforeUsd);
  const after = new Dec(afterUsd);
  return budget.thresholds.filter((t) => {
    const line = limit.times(t).div(100);
    return before.lt(line) && after.gte(line);
  });
}

export function alertFor(
  budget: Budget,
  window: PeriodWindow,
  threshold: number,
  spentUsd: string,
  blocked: boolean,
): BudgetAlert {
  return {
    type: "budget.threshold",
    budget_id: budget.id,
    scope: budget.scope,
    scope_id: budget.scopeId,
    period: budget.period,
    period_key: window.key,
    period_start: new Date(window.start).toISOString(),
    period_end: new Date(window.end).toISOString(),
    threshold,
    budget_percentage_used: Number(new Dec(spentUsd).div(budget.amountUsd).times(100).toFixed(2)),
    spent_usd: spentUsd,
    limit_usd: budget.amountUsd,
    blocked,
  };
}

/** The claim key's threshold of a forecast alert: real thresholds are in (0, 100], so 0 never collides. */
export const FORECAST_ALERT_THRESHOLD = 0;

/** "The period-end projection passes the budget": one per budget and period, claimed like a threshold. */
export function forecastAlertFor(
  budget: Budget,
  window: PeriodWindow,
  spentUsd: string,
  forecast: { readonly forecastUsd: string; readonly lowUsd: string; readonly highUsd: string },
): BudgetAlert {
  return {
    ...alertFor(budget, window, FORECAST_ALERT_THRESHOLD, spentUsd, false),
    type: "budget.forecast",
    forecast_usd: forecast.forecastUsd,
    forecast_low_usd: forecast.lowUsd,
    forecast_high_usd: forecast.highUsd,
  };
}

/**
 * Alerts exactly once per (budget, period, threshold, channel) across processes: the unique claim row decides
 * who enqueues, a lease decides who delivers, and a failed delivery waits for its backoff and is retried by
 * whichever process sweeps next (`deliverDue`). A delivery is marked done only after the channel accepted it.
 */
export class AlertOutbox {
  readonly #store: BudgetStore;
  readonly #channels: ReadonlyMap<string, AlertChannel>;
  readonly #leaseMs: number;
  readonly #backoff: BackoffPolicy;
  readonly #onError: (m: string) => void;

  constructor(store: BudgetStore, channels: readonly AlertChannel[], o: AlertOutboxOptions = {}) {
    this.#store = store;
    this.#channels = new Map(channels.map((c) => [c.name, c]));
    this.#leaseMs = o.leaseMs ?? 30_000;
    this.#backoff = o.backoff ?? DEFAULT_BACKOFF;
    this.#onError = o.onError ?? ((m) => process.stderr.write(`[tokenledger] warn: ${m}\n`));
  }

  /** Claim the alert on every channel; deliver the claims this process won. */
  async enqueue(alert: BudgetAlert, now = Date.now()): Promise<void> {
    const payload = JSON.stringify(alert);
    const won: AlertKey[] = [];
    for (const channel of this.#channels.keys()) {
      const key = {
        budgetId: alert.budget_id,
        periodKey: alert.period_key,
        threshold: alert.threshold,
        channel,
      };
      if (await this.#store.claimAlert(key, payload, now)) won.push(key);
    }
    await Promise.all(won.map((k) => this.#deliver(k, alert, 0)));
  }

  /** Deliver every alert whose retry time has come (any process may call this). */
  async deliverDue(now = Date.now()): Promise<number> {
    let sent = 0;
    for (const row of await this.#store.dueAlerts(now))
      if (await this.#deliver(row, JSON.parse(row.payload) as BudgetAlert, row.attempts)) sent++;
    return sent;
  }

  async #deliver(key: AlertKey, alert: BudgetAlert, attempts: number): Promise<boolean> {
    const channel = this.#channels.get(key.channel);
    if (!channel) return false;
    if (!(await this.#store.leaseAlert(key, Date.now(), this.#leaseMs))) return false;
    try {
      await channel.send(alert);
      await this.#store.markDelivered(key, Date.now());
      return true;
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      await this.#store.markFailed(key, msg, Date.now() + backoffDelay(this.#backoff, attempts + 1));
      this.#onError(
        `budget alert ${key.budgetId} ${key.threshold}% via ${key.channel} failed (${msg}); retrying`,
      );
      return false;
    }
  }
}
