import { sql, type QueryResult, type RawBuilder } from "kysely";
import type {
  AlertKey,
  AlertRow,
  Budget,
  BudgetCounter,
  BudgetStore,
  RateLimit,
  RateResult,
  ReserveRequest,
  ReserveResult,
  SettledCounter,
} from "tokenledger/storage-kit";
import type { LedgerDb } from "./schema.js";

export const BUDGETS = "token_ledger_budgets";
export const COUNTERS = "token_ledger_budget_counters";
export const RESERVATIONS = "token_ledger_budget_reservations";
export const ALERTS = "token_ledger_budget_alerts";
export const RATE_WINDOWS = "token_ledger_budget_rate_windows";
/** A limit not set: the largest value the INTEGER column holds. */
const NO_LIMIT = 2_147_483_647;

type Row = Record<string, unknown>;

/** A `usdPerMinute` limit in whole micro-dollars, rounded down (the estimates are rounded up: never lenient). */
function usdLimitMicros(usd: string): number {
  const [whole = "0", frac = ""] = usd.split(".");
  return Number(whole) * 1_000_000 + Number(frac.slice(0, 6).padEnd(6, "0"));
}

const toBudget = (r: Row): Budget => ({
  id: String(r.id),
  scope: String(r.scope) as Budget["scope"],
  scopeId: String(r.scope_id),
  period: String(r.period) as Budget["period"],
  timeZone: String(r.time_zone),
  weekStart: Number(r.week_start) as Budget["weekStart"],
  ...(r.range_start ? { start: String(r.range_start), end: String(r.range_end) } : {}),
  amountUsd: decimalText(r.amount_usd),
  action: String(r.action) as Budget["action"],
  thresholds: JSON.parse(String(r.thresholds)) as number[],
  downgradeMap: JSON.parse(String(r.downgrade_map)) as Record<string, string>,
  ...(r.rate_limit ? { rateLimit: JSON.parse(String(r.rate_limit)) as Budget["rateLimit"] } : {}),
  ...(r.managed_by ? { managedBy: String(r.managed_by) } : {}),
});

const toAlert = (r: Row): AlertRow => ({
  budgetId: String(r.budget_id),
  periodKey: String(r.period_key),
  threshold: Number(r.threshold),
  channel: String(r.channel),
  payload: String(r.payload),
  attempts: Number(r.attempts),
  deliveredAt: r.delivered_ms === null || r.delivered_ms === undefined ? null : Number(r.delivered_ms),
  lastError: r.last_error === null || r.last_error === undefined ? null : String(r.last_error),
  ackedBy: r.acked_by === null || r.acked_by === undefined ? null : String(r.acked_by),
  claimedAt: Number(r.claimed_ms),
  ackedAt: r.acked_ms === null || r.acked_ms === undefined ? null : Number(r.acked_ms),
});

/** NUMERIC comes back as "12.500000000000"; decimal text as written. Trailing zeros trimmed. */
export function decimalText(v: unknown): string {
  const s = v === null || v === undefined ? "0" : String(v);
  return s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
}

/**
 * The dialect-neutral part of the budget store: definitions, counters read, alert claims and the delivery
 * outbox (one row per budget, period, threshold and channel; `INSERT … ON CONFLICT DO NOTHING` decides the one
 * process that delivers it). Subclasses own the atomic reserve / settle / release.
 */
export abstract class KyselyBudgetStore implements BudgetStore {
  atomic = true;
  constructor(
    protected readonly db: () => Promise<LedgerDb>,
    protected readonly table: (name: string) => RawBuilder<unknown>,
  ) {}

  abstract reserve(req: ReserveRequest): Promise<ReserveResult>;
  abstract settle(reservationId: string, actualUsd: string): Promise<SettledCounter[]>;
  abstract release(reservationId: string): Promise<void>;

  /** Run one write statement; the SQLite store retries it while another process holds the write lock. */
  protected run<T>(q: RawBuilder<T>): Promise<QueryResult<T>> {
    return this.db().then((db) => q.execute(db));
  }

  async put(b: Budget, now = Date.now()): Promise<void> {
    const t = this.table(BUDGETS);
    const thresholds = JSON.stringify(b.thresholds);
    const map = JSON.stringify(b.downgradeMap);
    const rate = b.rateLimit ? JSON.stringify(b.rateLimit) : null;
    const managedBy = b.managedBy ?? null;
    await this
      .run(sql`insert into ${t} (id, scope, scope_id, period, time_zone, week_start, amount_usd, action, thresholds, downgrade_map, rate_limit, managed_by, range_start, range_end, updated_ms)
      values (${b.id}, ${b.scope}, ${b.scopeId}, ${b.period}, ${b.timeZone}, ${b.weekStart}, ${b.amountUsd}, ${b.action}, ${thresholds}, ${map}, ${rate}, ${managedBy}, ${b.start ?? null}, ${b.end ?? null}, ${now})
      on conflict (id) do update set scope = excluded.scope, scope_id = excluded.scope_id, period = excluded.period,
        time_zone = excluded.time_zone, week_start = excluded.week_start, amount_usd = excluded.amount_usd,
        action = excluded.action, thresholds = excluded.thresholds, downgrade_map = excluded.downgrade_map,
        rate_limit = excluded.rate_limit, managed_by = excluded.managed_by, range_start = excluded.range_start,
        range_end = excluded.range_end, updated_ms = excluded.updated_ms`);
  }

  async list(): Promise<Budget[]> {
    const r = await sql<Row>`select * from ${this.table(BUDGETS)} order by id`.execute(await this.db());
    return r.rows.map(toBudget);
  }

  async remove(id: string): Promise<boolean> {
    const r = await this.run(sql`delete from ${this.table(BUDGETS)} where id = ${id}`);
    await this.run(sql`delete from ${this.table(COUNTERS)} where budget_id = ${id}`);
    await this.run(sql`delete from ${this.table(RESERVATIONS)} where budget_id = ${id}`);
    return Number(r.numAffectedRows ?? 0) > 0;
  }

  async counter(budgetId: string, periodKey: string): Promise<BudgetCounter> {
    const r = await sql<Row>`select spent_usd, reserved_usd from ${this.table(COUNTERS)}
      where budget_id = ${budgetId} and period_key = ${periodKey}`.execute(await this.db());
    const row = r.rows[0];
    return {
      budgetId,
      periodKey,
      spentUsd: decimalText(row?.spent_usd),
      reservedUsd: decimalText(row?.reserved_usd),
    };
  }

  async takeRate(
    budgetId: string,
    windowMs: number,
    tokens: number,
    limit: RateLimit,
    usdMicros = 0,
  ): Promise<RateResult> {
    const rpm = limit.requestsPerMinute ?? NO_LIMIT;
    const tpm = limit.tokensPerMinute ?? Number.MAX_SAFE_INTEGER;
    const upm =
      limit.usdPerMinute === undefined ? Number.MAX_SAFE_INTEGER : usdLimitMicros(limit.usdPerMinute);
    if (rpm < 1 || tokens > tpm || usdMicros > upm) return { ok: false, requests: 0, tokens: 0 };
    const w = this.table(RATE_WINDOWS);
    if (!this.atomic) return this.#takeRateUnlocked(budgetId, windowMs, tokens, rpm, tpm);
    const r = await this.run(sql`insert into ${w} as w (budget_id, window_ms, requests, tokens, usd_micros)
      values (${budgetId}, ${windowMs}, 1, ${tokens}, ${usdMicros})
      on conflict (budget_id, window_ms) do update set requests = w.requests + 1,
        tokens = w.tokens + excluded.tokens, usd_micros = w.usd_micros + excluded.usd_micros
      where w.requests + 1 <= ${rpm} and w.tokens + excluded.tokens <= ${tpm}
        and w.usd_micros + excluded.usd_micros <= ${upm}`);
    if (Number(r.numAffectedRows ?? 0) === 1) {
      // Old minutes are dropped now and then (a few rows per budget and hour otherwise).
      if (Math.random() < 0.01)
        await this.run(sql`delete from ${w} where window_ms < ${windowMs - 3_600_000}`);
      return { ok: true };
    }
    const now = await sql<Row>`select requests, tokens from ${w}
      where budget_id = ${budgetId} and window_ms = ${windowMs}`.execute(await this.db());
    return {
      ok: false,
      requests: Number(now.rows[0]?.requests ?? 0),
      tokens: Number(now.rows[0]?.tokens ?? 0),
    };
  }

  /** The negative control: read the minute, yield, then count unconditionally (as a check-then-act limiter does). */
  async #takeRateUnlocked(
    budgetId: string,
    windowMs: number,
    tokens: number,
    rpm: number,
    tpm: number,
  ): Promise<RateResult> {
    const w = this.table(RATE_WINDOWS);
    const seen = await sql<Row>`select requests, tokens from ${w}
      where budget_id = ${budgetId} and window_ms = ${windowMs}`.execute(await this.db());
    const requests = Number(seen.rows[0]?.requests ?? 0);
    const used = Number(seen.rows[0]?.tokens ?? 0);
    if (requests + 1 > rpm || used + tokens > tpm) return { ok: false, requests, tokens: used };
    // A 10 ms gap between the read and the write, as in the reservation race's control: with 1 ms a run on a quiet
    // PostgreSQL could serialise by chance and not overshoot, and a control that cannot fail proves nothing.
    await new Promise((r) => setTimeout(r, 10));
    await this.run(sql`insert into ${w} as w (budget_id, window_ms, requests, tokens)
      values (${budgetId}, ${windowMs}, 1, ${tokens})
      on conflict (budget_id, window_ms) do update set requests = w.requests + 1, tokens = w.tokens + excluded.tokens`);
    return { ok: true };
  }

  async setSpent(budgetId: string, periodKey: string, spentUsd: string): Promise<BudgetCounter> {
    const before = await this.counter(budgetId, periodKey);
    await this.run(sql`insert into ${this.table(COUNTERS)} (budget_id, period_key, spent_usd, reserved_usd)
      values (${budgetId}, ${periodKey}, ${spentUsd}, 0)
      on conflict (budget_id, period_key) do update set spent_usd = excluded.spent_usd`);
    return before;
  }

  async claimAlert(k: AlertKey, payload: string, now: number): Promise<boolean> {
    const r = await this
      .run(sql`insert into ${this.table(ALERTS)} (budget_id, period_key, threshold, channel, payload, claimed_ms, next_attempt_ms, attempts)
      values (${k.budgetId}, ${k.periodKey}, ${k.threshold}, ${k.channel}, ${payload}, ${now}, ${now}, 0)
      on conflict (budget_id, period_key, threshold, channel) do nothing`);
    return Number(r.numAffectedRows ?? 0) === 1;
  }

  async leaseAlert(k: AlertKey, now: number, leaseMs: number): Promise<boolean> {
    const r = await this
      .run(sql`update ${this.table(ALERTS)} set lease_until_ms = ${now + leaseMs}, attempts = attempts + 1
      where ${this.#key(k)} and delivered_ms is null and next_attempt_ms <= ${now}
        and (lease_until_ms is null or lease_until_ms < ${now})`);
    return Number(r.numAffectedRows ?? 0) === 1;
  }

  async markDelivered(k: AlertKey, now: number): Promise<void> {
    await this
      .run(sql`update ${this.table(ALERTS)} set delivered_ms = ${now}, lease_until_ms = null, last_error = null
      where ${this.#key(k)}`);
  }

  async markFailed(k: AlertKey, error: string, retryAt: number): Promise<void> {
    await this
      .run(sql`update ${this.table(ALERTS)} set lease_until_ms = null, last_error = ${error.slice(0, 500)},
      next_attempt_ms = ${retryAt} where ${this.#key(k)}`);
  }

  async dueAlerts(now: number): Promise<AlertRow[]> {
    const r = await sql<Row>`select * from ${this.table(ALERTS)} where delivered_ms is null
      and next_attempt_ms <= ${now} and (lease_until_ms is null or lease_until_ms < ${now})
      order by claimed_ms`.execute(await this.db());
    return r.rows.map(toAlert);
  }

  async alerts(budgetId?: string): Promise<AlertRow[]> {
    const where = budgetId === undefined ? sql`1 = 1` : sql`budget_id = ${budgetId}`;
    const r = await sql<Row>`select * from ${this.table(ALERTS)} where ${where}
      order by budget_id, period_key, threshold, channel`.execute(await this.db());
    return r.rows.map(toAlert);
  }

  async ack(
    budgetId: string,
    periodKey: string,
    threshold: number,
    by: string,
    now: number,
  ): Promise<number> {
    const r = await this.run(sql`update ${this.table(ALERTS)} set acked_by = ${by}, acked_ms = ${now}
      where budget_id = ${budgetId} and period_key = ${periodKey} and threshold = ${threshold}`);
    return Number(r.numAffectedRows ?? 0);
  }

  #key(k: AlertKey): RawBuilder<unknown> {
    return sql`budget_id = ${k.budgetId} and period_key = ${k.periodKey} and threshold = ${k.threshold} and channel = ${k.channel}`;
  }
}
