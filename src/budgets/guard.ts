import { randomUUID } from "node:crypto";
import type { Attribution } from "../core/attribution.js";
import { fieldOfDimension } from "../core/attribution-fields.js";
import type { UsageEventInput } from "../core/event.js";
import type { Pricer } from "../core/pricer.js";
import { defaultPricer } from "../pricing/pricer.js";
import type { Admission, PreCallGate, PreCallRequest } from "../../interceptors/_shared/pre-call.js";
import { setPreCallGate } from "../../interceptors/_shared/pre-call.js";
import { AlertOutbox, alertFor, crossedThresholds } from "./alerts/outbox.js";
import type { AlertChannel } from "./alerts/channel.js";
import { ForecastAlerts } from "./alerts/forecast-alerts.js";
import type { RollupSource } from "./forecast.js";
import { BudgetExceededError, BudgetRateLimitedError, BudgetUnpricedError } from "./errors.js";
import { actualCost, estimateCost, estimateTokens } from "./estimate.js";
import { budgetWindow, inPeriod } from "./period.js";
import { syncDeclaredBudgets } from "./config-sync.js";
import type { BudgetStore, ReserveItem } from "./store.js";
import { BUDGET_SCOPES, type Budget, type BudgetScope, type PeriodWindow } from "./types.js";
import { Dec } from "../pricing/decimal.js";

export interface BudgetGuardOptions {
  readonly store: BudgetStore;
  /** Prices the estimate and the settled call; default the bundled catalog. */
  readonly pricer?: Pricer;
  /** Output tokens reserved when the request sets no max_tokens; default 4096. */
  readonly outputCapTokens?: number;
  /** A reservation not settled by then (crashed caller) is reclaimed; default 10 minutes. */
  readonly reservationTtlMs?: number;
  /** A model with no price under a budget: `block` (default) or `allow` (the call is flagged `budget_unpriced`). */
  readonly unpriced?: "block" | "allow";
  /** Budget definitions are re-read at most this often per process; default 5000 ms. */
  readonly cacheMs?: number;
  readonly channels?: readonly AlertChannel[];
  /** The budget store failed during the check: `allow` the call (default, with a warning) or `block` it. */
  readonly onStoreError?: "allow" | "block";
  /**
   * Budgets a config file declares (`declaredBudgets(config.budgets, path)`): synced into the store before the
   * first check (the file is their source of truth; see `syncDeclaredBudgets`).
   */
  readonly declared?: readonly Budget[];
  /**
   * The ledger (any StorageAdapter) the period-end forecast reads the scope's daily spend from: with it and a
   * channel, a forecast alert fires once per budget and period when the projection passes the amount.
   */
  readonly ledger?: RollupSource;
  /** A budget's forecast is recomputed after a settle at most this often per process; default 60000 ms. */
  readonly forecastCheckMs?: number;
  /** Settle / alert failures; they never reach the caller. Default: a warning on stderr. */
  readonly onError?: (message: string) => void;
}

/** The attribution field each scope reads (`cost_center` → costCenter), looked up once in the field table. */
const SCOPE_FIELD = Object.fromEntries(
  BUDGET_SCOPES.filter((s) => s !== "org").map((s) => [s, fieldOfDimension(s)!.key]),
) as Record<Exclude<BudgetScope, "org">, keyof Attribution>;
/** `notify` and `downgrade` budgets count spend but never refuse a reservation. */
const UNLIMITED = "1000000000000000";

export function appliesTo(b: Budget, a: Attribution): boolean {
  return b.scope === "org" || a[SCOPE_FIELD[b.scope]] === b.scopeId;
}

/**
 * The budgets that apply to a call at `now`, with their windows: a custom range that does not hold `now` takes
 * no reservation and counts nothing.
 */
function inForce(
  all: readonly Budget[],
  a: Attribution,
  now: number,
): { budgets: Budget[]; windows: Map<string, PeriodWindow> } {
  const windows = new Map<string, PeriodWindow>();
  const budgets = all.filter((b) => {
    if (!appliesTo(b, a)) return false;
    const w = budgetWindow(now, b);
    windows.set(b.id, w);
    return inPeriod(now, b, w);
  });
  return { budgets, windows };
}

/**
 * Budget enforcement on the pre-call seam: every budget that applies to the call (org ∩ team ∩ user ∩ project …)
 * is reserved in one atomic step for the call's estimated cost before it is sent; the reservation is settled
 * to the actual cost when the call's event is recorded, released when it failed without usage, and threshold
 * alerts are computed from the settle.
 */
export class BudgetGuard implements PreCallGate {
  readonly store: BudgetStore;
  readonly outbox: AlertOutbox;
  readonly #pricer: Pricer;
  readonly #o: BudgetGuardOptions;
  readonly #onError: (m: string) => void;
  #cache: { at: number; budgets: Promise<Budget[]> } | undefined;
  readonly #pending = new Set<Promise<unknown>>();
  readonly #forecasts: ForecastAlerts | undefined;

  constructor(o: BudgetGuardOptions) {
    this.store = o.store;
    this.#o = o;
    this.#pricer = o.pricer ?? defaultPricer();
    this.#onError = o.onError ?? ((m) => process.stderr.write(`[tokenledger] warn: ${m}\n`));
    this.outbox = new AlertOutbox(o.store, o.channels ?? [], { onError: this.#onError });
    if (o.ledger && (o.channels?.length ?? 0) > 0)
      this.#forecasts = new ForecastAlerts(o.ledger, this.outbox, o.forecastCheckMs);
  }

  /** Make this guard the process's pre-call gate (the interceptors consult it before every call). */
  install(): this {
    setPreCallGate(this);
    return this;
  }

  uninstall(): void {
    setPreCallGate(undefined);
  }

  /** Forget cached definitions (after `budgets.put` in this process). */
  invalidate(): void {
    this.#cache = undefined;
  }

  /** Settles and alert deliveries still running (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  #synced: Promise<unknown> | undefined;

  /** Sync the declared budgets once per guard (again after a failure). */
  #sync(): Promise<unknown> {
    const declared = this.#o.declared;
    if (!declared || declared.length === 0) return Promise.resolve();
    this.#synced ??= syncDeclaredBudgets(this.store, declared).catch((e: unknown) => {
      this.#synced = undefined;
      throw e;
    });
    return this.#synced;
  }

  #budgets(now: number): Promise<Budget[]> {
    if (!this.#cache || now - this.#cache.at > (this.#o.cacheMs ?? 5000)) {
      const budgets = this.#sync().then(() => this.store.list());
      budgets.catch(() => (this.#cache = undefined));
      this.#cache = { at: now, budgets };
    }
    return this.#cache.budgets;
  }

  /**
   * Reserve the call's estimate on every budget that applies. Rejects with BudgetExceededError (block) or
   * BudgetUnpricedError; a store failure lets the call through with a warning unless `onStoreError: "block"`.
   */
  async admit(req: PreCallRequest): Promise<Admission> {
    try {
      return await this.#admit(req);
    } catch (err) {
      if (
        err instanceof BudgetExceededError ||
        err instanceof BudgetRateLimitedError ||
        err instanceof BudgetUnpricedError
      )
        throw err;
      if (this.#o.onStoreError === "block") throw err;
      this.#onError(`budget check failed, call allowed: ${err instanceof Error ? err.message : String(err)}`);
      return { finish: () => {} };
    }
  }

  async #admit(req: PreCallRequest): Promise<Admission> {
    const now = Date.now();
    const { budgets, windows } = inForce(await this.#budgets(now), req.attribution, now);
    if (budgets.length === 0 || req.model === null) return { finish: () => {} };
    const tokens = estimateTokens(req.body, this.#o.outputCapTokens ?? 4096);
    let model = req.model;
    const metadata: Record<string, unknown> = {};
    for (const b of budgets) {
      const to = b.action === "downgrade" ? b.downgradeMap[model] : undefined;
      if (!to) continue;
      const est = estimateCost(this.#pricer, req.provider, model, tokens, new Date(now)) ?? "0";
      const c = await this.store.counter(b.id, windows.get(b.id)!.key);
      if (new Dec(c.spentUsd).plus(c.reservedUsd).plus(est).gt(b.amountUsd)) {
        metadata.budget_downgrade = {
          requested_model: model,
          effective_model: to,
          reason: "budget",
          budget_id: b.id,
        };
        model = to;
      }
    }
    let estimate = estimateCost(this.#pricer, req.provider, model, tokens, new Date(now));
    if (estimate === null) {
      if ((this.#o.unpriced ?? "block") === "block") throw new BudgetUnpricedError(model, budgets[0]!.id);
      metadata.budget_unpriced = true;
      estimate = "0";
    }
    const items: ReserveItem[] = budgets.map((b) => ({
      budget: b.action === "block" ? b : { ...b, amountUsd: UNLIMITED },
      periodKey: windows.get(b.id)!.key,
    }));
    const id = randomUUID();
    const ttl = this.#o.reservationTtlMs ?? 600_000;
    const r = await this.store.reserve({ id, items, amountUsd: estimate, expiresAt: now + ttl, now });
    if (!r.ok) {
      const b = budgets.find((x) => x.id === r.budgetId)!;
      const w = windows.get(b.id)!;
      // The caller is blocked; the alert still goes out (once per period).
      this.#track(this.outbox.enqueue(alertFor(b, w, 100, r.spentUsd, true)));
      throw new BudgetExceededError(
        b.id,
        b.scope,
        b.scopeId,
        r.spentUsd,
        r.reservedUsd,
        r.limitUsd,
        estimate,
        new Date(w.end),
      );
    }
    await this.#takeRates(id, budgets, tokens.input + tokens.output, estimate, now);
    const effective = model !== req.model ? model : undefined;
    return {
      ...(effective ? { model: effective } : {}),
      ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
      finish: (input) => this.#track(this.#settle(id, input, budgets, windows)),
    };
  }

  /**
   * `rate_limit` budgets, in id order, after the reservation: a minute already full refuses the call and its
   * reservation is released (minutes counted on earlier budgets stay counted: a refused call may use a slot).
   */
  async #takeRates(
    id: string,
    budgets: readonly Budget[],
    tokens: number,
    estimateUsd: string,
    now: number,
  ): Promise<void> {
    const minute = now - (now % 60_000);
    // Whole micro-dollars, rounded up: the limiter's integer compare is exact and never lenient.
    const micros = new Dec(estimateUsd).times(1_000_000).ceil().toNumber();
    for (const b of budgets) {
      if (b.action !== "rate_limit" || !b.rateLimit) continue;
      const r = await this.store.takeRate(b.id, minute, tokens, b.rateLimit, micros);
      if (r.ok) continue;
      await this.store.release(id);
      const limit = [
        b.rateLimit.requestsPerMinute && `${b.rateLimit.requestsPerMinute} requests/min`,
        b.rateLimit.tokensPerMinute && `${b.rateLimit.tokensPerMinute} tokens/min`,
        b.rateLimit.usdPerMinute && `$${b.rateLimit.usdPerMinute}/min`,
      ]
        .filter(Boolean)
        .join(", ");
      throw new BudgetRateLimitedError(b.id, b.scope, b.scopeId, limit, new Date(minute + 60_000));
    }
  }

  #track(p: Promise<unknown>): void {
    const q = p.catch((e: unknown) =>
      this.#onError(`budget settle/alert failed: ${e instanceof Error ? e.message : String(e)}`),
    );
    this.#pending.add(q);
    void q.finally(() => this.#pending.delete(q));
  }

  async #settle(
    id: string,
    input: UsageEventInput,
    budgets: readonly Budget[],
    windows: ReadonlyMap<string, PeriodWindow>,
  ): Promise<void> {
    const cost = actualCost(this.#pricer, input);
    if (cost === null && input.status !== "ok") {
      await this.store.release(id);
      return;
    }
    const settled = await this.store.settle(id, cost ?? "0");
    for (const s of settled) {
      const b = budgets.find((x) => x.id === s.budgetId);
      if (!b) continue;
      const w = windows.get(b.id)!;
      const crossed = crossedThresholds(b, s.spentBeforeUsd, s.spentAfterUsd);
      // A crossing is rare (once per threshold and period), so its alert can carry the period-end forecast.
      const extra =
        crossed.length > 0 && this.#forecasts ? await this.#forecasts.fields(b, s.spentAfterUsd) : {};
      for (const t of crossed)
        await this.outbox.enqueue({ ...alertFor(b, w, t, s.spentAfterUsd, false), ...extra });
      await this.#forecasts?.afterSettle(b, w, s.spentAfterUsd);
    }
  }
}
