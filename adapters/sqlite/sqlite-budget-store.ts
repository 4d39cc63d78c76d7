import type { QueryResult, RawBuilder } from "kysely";
import type { ReserveRequest, ReserveResult, SettledCounter } from "tokenledger/storage-kit";
import { Dec } from "../_shared/decimal.js";
import { COUNTERS, KyselyBudgetStore, RESERVATIONS, decimalText } from "../_kysely/budget-store.js";
import type { LedgerDb } from "../_kysely/schema.js";
import type { SqliteDatabaseLike } from "./sqlite-storage-config.js";

/** Runs `fn` synchronously inside `BEGIN IMMEDIATE` (the write lock across processes); commits or rolls back. */
export type ImmediateRunner = <T>(fn: (db: SqliteDatabaseLike) => T) => Promise<T>;

interface CounterRow {
  spent_usd: string;
  reserved_usd: string;
}

const money = (v: unknown) => new Dec(decimalText(v));

/**
 * SQLite budgets: amounts are exact decimal text compared with decimal.js, and every check-and-update runs
 * synchronously inside one `BEGIN IMMEDIATE`, so no other process or connection can interleave.
 */
export class SqliteBudgetStore extends KyselyBudgetStore {
  constructor(
    db: () => Promise<LedgerDb>,
    table: (name: string) => RawBuilder<unknown>,
    private readonly immediate: ImmediateRunner,
  ) {
    super(db, table);
  }

  /** Autocommit writes wait for another process's write lock asynchronously (the busy timeout is short). */
  protected override async run<T>(q: RawBuilder<T>): Promise<QueryResult<T>> {
    for (let attempt = 0, delay = 2; ; attempt++, delay = Math.min(delay * 2, 100)) {
      try {
        return await super.run(q);
      } catch (err) {
        if (
          !/SQLITE_BUSY|database is locked/.test(`${(err as { code?: unknown }).code} ${String(err)}`) ||
          attempt >= 100
        )
          throw err;
        await new Promise((r) => setTimeout(r, delay * (0.5 + Math.random())));
      }
    }
  }

  async reserve(req: ReserveRequest): Promise<ReserveResult> {
    const items = [...req.items].sort((a, b) => (a.budget.id < b.budget.id ? -1 : 1));
    const x = new Dec(req.amountUsd);
    if (!this.atomic) return this.#reserveUnlocked(req, x);
    return this.immediate((db) => {
      const rows = items.map((it) => {
        reclaimExpired(db, it.budget.id, it.periodKey, req.now);
        const c = readCounter(db, it.budget.id, it.periodKey);
        return { it, spent: money(c.spent_usd), reserved: money(c.reserved_usd) };
      });
      for (const { it, spent, reserved } of rows) {
        if (spent.plus(reserved).plus(x).gt(it.budget.amountUsd)) {
          return {
            ok: false,
            budgetId: it.budget.id,
            periodKey: it.periodKey,
            spentUsd: spent.toFixed(),
            reservedUsd: reserved.toFixed(),
            limitUsd: it.budget.amountUsd,
          };
        }
      }
      for (const { it, reserved } of rows) writeReservation(db, req, it, reserved, x);
      return { ok: true };
    });
  }

  /** The negative control: read, yield (as any async check-then-act does), write; no lock held in between. */
  async #reserveUnlocked(req: ReserveRequest, x: Dec): Promise<ReserveResult> {
    const seen = await this.immediate((db) =>
      req.items.map((it) => ({ it, c: readCounter(db, it.budget.id, it.periodKey) })),
    );
    // 10 ms: a realistic round trip between the check and the act, so the race the lock prevents shows every run.
    await new Promise((r) => setTimeout(r, 10));
    for (const { it, c } of seen)
      if (money(c.spent_usd).plus(money(c.reserved_usd)).plus(x).gt(it.budget.amountUsd))
        return {
          ok: false,
          budgetId: it.budget.id,
          periodKey: it.periodKey,
          spentUsd: decimalText(c.spent_usd),
          reservedUsd: decimalText(c.reserved_usd),
          limitUsd: it.budget.amountUsd,
        };
    await this.immediate((db) => {
      for (const { it, c } of seen) writeReservation(db, req, it, money(c.reserved_usd), x);
    });
    return { ok: true };
  }

  settle(reservationId: string, actualUsd: string): Promise<SettledCounter[]> {
    const actual = new Dec(actualUsd);
    return this.immediate((db) => {
      const rows = db
        .prepare(
          `SELECT budget_id, period_key, amount_usd, state FROM ${RESERVATIONS} WHERE id = ? AND state IN ('open', 'expired') ORDER BY budget_id`,
        )
        .all(reservationId) as { budget_id: string; period_key: string; amount_usd: string; state: string }[];
      const out: SettledCounter[] = [];
      for (const r of rows) {
        const c = readCounter(db, r.budget_id, r.period_key);
        const spent = money(c.spent_usd);
        const held = r.state === "open" ? money(r.amount_usd) : new Dec(0);
        const after = spent.plus(actual);
        db.prepare(
          `UPDATE ${COUNTERS} SET spent_usd = ?, reserved_usd = ? WHERE budget_id = ? AND period_key = ?`,
        ).run(
          after.toFixed(),
          Dec.max(0, money(c.reserved_usd).minus(held)).toFixed(),
          r.budget_id,
          r.period_key,
        );
        db.prepare(`UPDATE ${RESERVATIONS} SET state = 'settled' WHERE id = ? AND budget_id = ?`).run(
          reservationId,
          r.budget_id,
        );
        out.push({
          budgetId: r.budget_id,
          periodKey: r.period_key,
          spentBeforeUsd: spent.toFixed(),
          spentAfterUsd: after.toFixed(),
        });
      }
      return out;
    });
  }

  async release(reservationId: string): Promise<void> {
    await this.immediate((db) => {
      const rows = db
        .prepare(
          `SELECT budget_id, period_key, amount_usd FROM ${RESERVATIONS} WHERE id = ? AND state = 'open'`,
        )
        .all(reservationId) as { budget_id: string; period_key: string; amount_usd: string }[];
      for (const r of rows) unreserve(db, r.budget_id, r.period_key, money(r.amount_usd));
      db.prepare(`UPDATE ${RESERVATIONS} SET state = 'released' WHERE id = ? AND state = 'open'`).run(
        reservationId,
      );
    });
  }
}

function readCounter(db: SqliteDatabaseLike, budgetId: string, periodKey: string): CounterRow {
  db.prepare(
    `INSERT INTO ${COUNTERS} (budget_id, period_key, spent_usd, reserved_usd) VALUES (?, ?, '0', '0') ON CONFLICT DO NOTHING`,
  ).run(budgetId, periodKey);
  return db
    .prepare(`SELECT spent_usd, reserved_usd FROM ${COUNTERS} WHERE budget_id = ? AND period_key = ?`)
    .get(budgetId, periodKey) as CounterRow;
}

function unreserve(db: SqliteDatabaseLike, budgetId: string, periodKey: string, amount: Dec): void {
  const c = readCounter(db, budgetId, periodKey);
  db.prepare(`UPDATE ${COUNTERS} SET reserved_usd = ? WHERE budget_id = ? AND period_key = ?`).run(
    Dec.max(0, money(c.reserved_usd).minus(amount)).toFixed(),
    budgetId,
    periodKey,
  );
}

/** Reservations past their TTL (a crashed caller) give their hold back; a late settle still adds the cost. */
function reclaimExpired(db: SqliteDatabaseLike, budgetId: string, periodKey: string, now: number): void {
  const rows = db
    .prepare(
      `SELECT id, amount_usd FROM ${RESERVATIONS} WHERE budget_id = ? AND period_key = ? AND state = 'open' AND expires_ms < ?`,
    )
    .all(budgetId, periodKey, now) as { id: string; amount_usd: string }[];
  if (rows.length === 0) return;
  let total = new Dec(0);
  for (const r of rows) total = total.plus(money(r.amount_usd));
  unreserve(db, budgetId, periodKey, total);
  db.prepare(
    `UPDATE ${RESERVATIONS} SET state = 'expired' WHERE budget_id = ? AND period_key = ? AND state = 'open' AND expires_ms < ?`,
  ).run(budgetId, periodKey, now);
}

/** Adds `x` to a counter's reserved amount (from `reservedBefore`, read in the same check) and records the hold. */
function writeReservation(
  db: SqliteDatabaseLike,
  req: ReserveRequest,
  it: ReserveRequest["items"][number],
  reservedBefore: Dec,
  x: Dec,
): void {
  db.prepare(`UPDATE ${COUNTERS} SET reserved_usd = ? WHERE budget_id = ? AND period_key = ?`).run(
    reservedBefore.plus(x).toFixed(),
    it.budget.id,
    it.periodKey,
  );
  db.prepare(
    `INSERT INTO ${RESERVATIONS} (id, budget_id, period_key, amount_usd, expires_ms, state) VALUES (?, ?, ?, ?, ?, 'open')`,
  ).run(req.id, it.budget.id, it.periodKey, x.toFixed(), req.expiresAt);
}
