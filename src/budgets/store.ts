import type { Budget, BudgetCounter, RateLimit } from "./types.js";

/** One budget's period a reservation is held against. */
export interface ReserveItem {
  readonly budget: Budget;
  readonly periodKey: string;
}

export interface ReserveRequest {
  /** Reservation id (one per call), shared by all its budgets' rows. */
  readonly id: string;
  /** Every budget that applies; the store locks them in id order so two calls cannot deadlock. */
  readonly items: readonly ReserveItem[];
  /** Estimated cost in USD (decimal string). */
  readonly amountUsd: string;
  /** Reservations older than this are reclaimed by the next reservation on the same budget. */
  readonly expiresAt: number;
  readonly now: number;
}

/** Why a reservation was refused: the first budget (in lock order) it would overshoot. */
export interface ReserveRefusal {
  readonly budgetId: string;
  readonly periodKey: string;
  readonly spentUsd: string;
  readonly reservedUsd: string;
  readonly limitUsd: string;
}

export type ReserveResult = { readonly ok: true } | ({ readonly ok: false } & ReserveRefusal);

/** One budget's spend before and after a settle (for threshold alerts). */
export interface SettledCounter {
  readonly budgetId: string;
  readonly periodKey: string;
  readonly spentBeforeUsd: string;
  readonly spentAfterUsd: string;
}

/** A `rate_limit` budget's minute: the call was counted, or it would pass a limit (nothing counted). */
export type RateResult =
  { readonly ok: true } | { readonly ok: false; readonly requests: number; readonly tokens: number };

/** A queued alert delivery (one per budget, period, threshold and channel). */
export interface AlertRow {
  readonly budgetId: string;
  readonly periodKey: string;
  readonly threshold: number;
  readonly channel: string;
  readonly payload: string;
  readonly attempts: number;
  readonly deliveredAt: number | null;
  readonly lastError: string | null;
  readonly ackedBy: string | null;
  /** When the alert fired (claimed), epoch ms; absent from stores that do not keep it. */
  readonly claimedAt?: number;
  /** When it was acknowledged, epoch ms. */
  readonly ackedAt?: number | null;
}

export interface AlertKey {
  readonly budgetId: string;
  readonly periodKey: string;
  readonly threshold: number;
  readonly channel: string;
}

/**
 * Budgets in the ledger's own database. `reserve` is one atomic step across every budget given (all or
 * none): PostgreSQL a conditional `UPDATE … WHERE spent + reserved + x <= limit RETURNING` per budget in one
 * transaction; SQLite the same check inside `BEGIN IMMEDIATE`. Counters are a cache of settled costs.
 */
export interface BudgetStore {
  /** Negative control for tests: false makes `reserve` a read-check-write without any lock (it overshoots). */
  atomic: boolean;
  put(budget: Budget, now?: number): Promise<void>;
  list(): Promise<Budget[]>;
  remove(id: string): Promise<boolean>;
  counter(budgetId: string, periodKey: string): Promise<BudgetCounter>;
  reserve(req: ReserveRequest): Promise<ReserveResult>;
  /** Move the reservation to spent at `actualUsd` (its estimate leaves `reserved`); idempotent. */
  settle(reservationId: string, actualUsd: string): Promise<SettledCounter[]>;
  /** Drop an open reservation (the call failed before any cost). Idempotent. */
  release(reservationId: string): Promise<void>;
  /**
   * Count one call of `tokens` estimated tokens and `usdMicros` estimated micro-dollars in the budget's minute
   * starting at `windowMs`, only if the minute's requests, tokens and USD stay within `limit`: one conditional
   * upsert, atomic across processes.
   */
  takeRate(
    budgetId: string,
    windowMs: number,
    tokens: number,
    limit: RateLimit,
    usdMicros?: number,
  ): Promise<RateResult>;
  /**
   * Set a period's spent to `spentUsd` (recomputed from the events by `budget rebuild`); reserved is kept,
   * open reservations settle on top as usual. Returns the counter before.
   */
  setSpent(budgetId: string, periodKey: string, spentUsd: string): Promise<BudgetCounter>;
  /** Claim an alert: true for exactly one caller across all processes. */
  claimAlert(key: AlertKey, payload: string, now: number): Promise<boolean>;
  /** Take the delivery lease on an undelivered alert whose retry time has come; true when this caller holds it. */
  leaseAlert(key: AlertKey, now: number, leaseMs: number): Promise<boolean>;
  markDelivered(key: AlertKey, now: number): Promise<void>;
  markFailed(key: AlertKey, error: string, retryAt: number): Promise<void>;
  /** Alerts not delivered yet whose retry time has come. */
  dueAlerts(now: number): Promise<AlertRow[]>;
  alerts(budgetId?: string): Promise<AlertRow[]>;
  ack(budgetId: string, periodKey: string, threshold: number, by: string, now: number): Promise<number>;
}
