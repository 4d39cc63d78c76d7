import { Dec } from "../../pricing/decimal.js";
import { budgetForecast, type RollupSource } from "../forecast.js";
import type { Budget, PeriodWindow } from "../types.js";
import type { BudgetAlert } from "./channel.js";
import { forecastAlertFor, type AlertOutbox } from "./outbox.js";

/**
 * Forecast alerts, checked when a cost settles: when a budget's period-end projection passes its amount, the
 * alert goes through the outbox's claim (one per budget and period across every process). The projection reads
 * 35 days of the scope's daily rollup, so each process checks a budget's period at most once per `checkMs`,
 * and never again once the alert fired (here or, via the claim, elsewhere).
 */
export class ForecastAlerts {
  readonly #ledger: RollupSource;
  readonly #outbox: AlertOutbox;
  readonly #checkMs: number;
  /** `budget id \0 period key` → last check (epoch ms); Infinity once the alert was enqueued. */
  readonly #checked = new Map<string, number>();

  constructor(ledger: RollupSource, outbox: AlertOutbox, checkMs = 60_000) {
    this.#ledger = ledger;
    this.#outbox = outbox;
    this.#checkMs = checkMs;
  }

  /** The forecast fields of a threshold alert (none under insufficient data). */
  async fields(budget: Budget, spentUsd: string, now = Date.now()): Promise<Partial<BudgetAlert>> {
    const f = await budgetForecast(this.#ledger, budget, spentUsd, now);
    return f.status === "ok"
      ? { forecast_usd: f.forecastUsd!, forecast_low_usd: f.lowUsd!, forecast_high_usd: f.highUsd! }
      : {};
  }

  async afterSettle(budget: Budget, window: PeriodWindow, spentUsd: string, now = Date.now()): Promise<void> {
    const key = `${budget.id}\0${window.key}`;
    const last = this.#checked.get(key);
    if (last !== undefined && now - last < this.#checkMs) return;
    this.#checked.set(key, now);
    const f = await budgetForecast(this.#ledger, budget, spentUsd, now);
    if (f.status !== "ok" || !new Dec(f.forecastUsd!).gt(budget.amountUsd)) return;
    this.#checked.set(key, Infinity);
    await this.#outbox.enqueue(
      forecastAlertFor(budget, window, spentUsd, {
        forecastUsd: f.forecastUsd!,
        lowUsd: f.lowUsd!,
        highUsd: f.highUsd!,
      }),
      now,
    );
  }
}
