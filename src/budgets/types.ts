/** What a budget limits: one attribution dimension and its value (a team id, a user id, ...). `org` is everyone. */
export const BUDGET_SCOPES = ["org", "team", "user", "project", "feature", "cost_center"] as const;
export type BudgetScope = (typeof BUDGET_SCOPES)[number];

/**
 * Calendar periods, taken from the event's timestamp in the budget's zone (no reset job). `custom`: one fixed
 * range `[start, end)` (local dates or datetimes in the budget's zone); outside it the budget counts nothing.
 */
export const BUDGET_PERIODS = ["day", "week", "month", "custom"] as const;
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];

/**
 * `block`: refuse the call before it is sent (BudgetExceededError). `downgrade`: send it with the mapped
 * cheaper model of the same provider. `rate_limit`: the scope's calls are held to `rateLimit` per minute
 * (BudgetRateLimitedError past it); its amount counts and alerts like `notify`. `notify`: alerts only, the
 * call always goes out.
 */
export const BUDGET_ACTIONS = ["block", "rate_limit", "downgrade", "notify"] as const;
export type BudgetAction = (typeof BUDGET_ACTIONS)[number];

export const DEFAULT_THRESHOLDS: readonly number[] = [50, 75, 90, 100];

/** ISO weekday the week starts on: 1 = Monday (default) … 7 = Sunday. */
export type WeekStart = 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** A budget as stored. Money is a decimal string in USD (never a JS float). */
export interface Budget {
  readonly id: string;
  readonly scope: BudgetScope;
  /** The dimension's value (`"team-a"`); `"*"` for `org`. */
  readonly scopeId: string;
  readonly period: BudgetPeriod;
  /** IANA zone the period boundaries are computed in. */
  readonly timeZone: string;
  readonly weekStart: WeekStart;
  /** `custom` only: first local date or datetime of the range (`2026-03-01`, `2026-03-01T09:00`), inclusive. */
  readonly start?: string;
  /** `custom` only: the local date or datetime the range ends at, exclusive (`2026-04-01` = through March 31). */
  readonly end?: string;
  readonly amountUsd: string;
  readonly action: BudgetAction;
  /** Percent thresholds alerted once per period, ascending, each in (0, 100]. */
  readonly thresholds: readonly number[];
  /** `downgrade`: requested model → model sent instead. */
  readonly downgradeMap: Readonly<Record<string, string>>;
  /** `rate_limit`: the per-minute limits (at least one is set). */
  readonly rateLimit?: RateLimit;
  /** The config file that declares this budget (it is the source of truth for it); absent when set by CLI or SDK. */
  readonly managedBy?: string;
}

/** Per calendar minute (UTC), across every process sharing the ledger. */
export interface RateLimit {
  readonly requestsPerMinute?: number;
  /** Estimated tokens (the reservation estimator's input + output) per minute. */
  readonly tokensPerMinute?: number;
  /** Estimated cost (the reservation's USD estimate) per minute, a decimal string such as "0.50". */
  readonly usdPerMinute?: string;
}

/** Input of `budgets.set()` / `tokenledger budget set`: everything but scope, period and amount has a default. */
export interface BudgetInput {
  readonly id?: string;
  readonly scope: string;
  readonly scopeId?: string;
  readonly period: string;
  readonly timeZone?: string;
  readonly weekStart?: number;
  /** `period: "custom"`: range start (inclusive) and end (exclusive), local in `timeZone`. */
  readonly start?: string;
  readonly end?: string;
  readonly amountUsd: string | number;
  readonly action?: string;
  readonly thresholds?: readonly number[];
  readonly downgradeMap?: Readonly<Record<string, string>>;
  readonly rateLimit?: Omit<RateLimit, "usdPerMinute"> & { readonly usdPerMinute?: string | number };
}

/** One budget's counters for one period. */
export interface BudgetCounter {
  readonly budgetId: string;
  readonly periodKey: string;
  readonly spentUsd: string;
  readonly reservedUsd: string;
}

/** One calendar period of a budget: `[start, end)` in UTC ms, with a stable key (`2026-03-09`, `2026-03`). */
export interface PeriodWindow {
  readonly key: string;
  readonly start: number;
  readonly end: number;
}
