import { sql, type Kysely } from "kysely";
import type {
  BudgetCounter,
  RateLimit,
  RateResult,
  ReserveItem,
  ReserveRequest,
  ReserveResult,
  SettledCounter,
} from "tokenledger/storage-kit";
import { ConnectionQueue } from "./connection-queue.js";
import { COUNTERS, KyselyBudgetStore, RESERVATIONS, decimalText } from "../_kysely/budget-store.js";
import type { LedgerDatabase } from "../_kysely/schema.js";

type Tx = Kysely<LedgerDatabase>;
type Row = Record<string, unknown>;

class Refused extends Error {
  constructor(readonly result: ReserveResult) {
    super("refused");
  }
}

/**
 * PostgreSQL budgets: NUMERIC counters. Each budget is taken by one conditional statement
 * (`UPDATE … WHERE spent + reserved + x <= limit RETURNING`, which also reclaims expired reservations and
 * records the reservation row); a call under several budgets runs those statements in budget-id order in one
 * transaction, and a refusal rolls the whole reservation back.
 */
export class PostgresBudgetStore extends KyselyBudgetStore {
  readonly #counters = new Set<string>();
  /**
   * `true`: reservations and settles commit with `synchronous_commit = off` (no WAL flush wait: about 16 ms →
   * under 1 ms per call on a busy disk). A PostgreSQL crash may then forget the last fraction of a second of
   * counter updates; the atomicity of each reservation is unchanged. Default false.
   */
  asyncCommit = false;
  /**
   * Budget operations of this process in the pool at once: the own pool's size (4), so none waits inside the
   * pool (whose 5 s connect timeout would fail it) and the event writer waits for one short operation at most.
   */
  connectionSlots = 4;
  /** How long a budget operation waits for a slot before failing with a StorageError that says so. */
  maxWaitMs = 30_000;
  readonly #queue = new ConnectionQueue(
    () => ({ slots: this.connectionSlots, maxWaitMs: this.maxWaitMs }),
    "postgres budgets",
  );

  /** Run `fn` in a transaction when several statements or `asyncCommit` need one; else directly. */
  async #tx<T>(db: Tx, needTx: boolean, fn: (tx: Tx) => Promise<T>): Promise<T> {
    if (!needTx && !this.asyncCommit) return fn(db);
    return db.transaction().execute(async (tx) => {
      if (this.asyncCommit) await sql`set local synchronous_commit = off`.execute(tx);
      return fn(tx);
    });
  }

  reserve(req: ReserveRequest): Promise<ReserveResult> {
    return this.#queue.run(() => this.#reserve(req));
  }

  override settle(reservationId: string, actualUsd: string): Promise<SettledCounter[]> {
    return this.#queue.run(() => this.#settle(reservationId, actualUsd));
  }

  override release(reservationId: string): Promise<void> {
    return this.#queue.run(() => this.#release(reservationId));
  }

  override takeRate(
    budgetId: string,
    windowMs: number,
    tokens: number,
    limit: RateLimit,
  ): Promise<RateResult> {
    return this.#queue.run(() => super.takeRate(budgetId, windowMs, tokens, limit));
  }

  override counter(budgetId: string, periodKey: string): Promise<BudgetCounter> {
    return this.#queue.run(() => super.counter(budgetId, periodKey));
  }

  async #reserve(req: ReserveRequest): Promise<ReserveResult> {
    const items = [...req.items].sort((a, b) => (a.budget.id < b.budget.id ? -1 : 1));
    const db = await this.db();
    for (const it of items) await this.#ensureCounter(db, it.budget.id, it.periodKey);
    if (!this.atomic) return this.#reserveUnlocked(db, req);
    try {
      await this.#tx(db, items.length > 1, async (tx) => {
        for (const it of items) await this.#take(tx, req, it);
      });
      return { ok: true };
    } catch (err) {
      if (err instanceof Refused) return err.result;
      throw err;
    }
  }

  /** One statement: reclaim expired holds, add the estimate if it fits under the limit, record the reservation. */
  async #take(tx: Tx, req: ReserveRequest, it: ReserveItem): Promise<void> {
    const c = this.table(COUNTERS);
    const res = this.table(RESERVATIONS);
    const b = it.budget.id;
    const k = it.periodKey;
    const x = req.amountUsd;
    const r = await sql<Row>`with exp as (update ${res} set state = 'expired' where budget_id = ${b}
        and period_key = ${k} and state = 'open' and expires_ms < ${req.now} returning amount_usd),
      freed as (select coalesce(sum(amount_usd), 0) as f from exp),
      upd as (update ${c} set reserved_usd = reserved_usd - (select f from freed) + ${x}::numeric
        where budget_id = ${b} and period_key = ${k}
          and spent_usd + reserved_usd - (select f from freed) + ${x}::numeric <= ${it.budget.amountUsd}::numeric
        returning spent_usd),
      ins as (insert into ${res} (id, budget_id, period_key, amount_usd, expires_ms, state)
        select ${req.id}, ${b}, ${k}, ${x}::numeric, ${req.expiresAt}, 'open' from upd)
      select spent_usd from upd`.execute(tx);
    if (r.rows.length > 0) return;
    const now = await sql<Row>`select spent_usd, reserved_usd from ${c}
      where budget_id = ${b} and period_key = ${k}`.execute(tx);
    throw new Refused({
      ok: false,
      budgetId: b,
      periodKey: k,
      spentUsd: decimalText(now.rows[0]?.spent_usd),
      reservedUsd: decimalText(now.rows[0]?.reserved_usd),
      limitUsd: it.budget.amountUsd,
    });
  }

  async #ensureCounter(tx: Tx, b: string, k: string): Promise<void> {
    const key = `${b}\u0000${k}`;
    if (this.#counters.has(key)) return;
    await sql`insert into ${this.table(COUNTERS)} (budget_id, period_key) values (${b}, ${k})
      on conflict do nothing`.execute(tx);
    this.#counters.add(key);
  }

  /** The negative control: read, then write unconditionally in a separate statement; no lock held in between. */
  async #reserveUnlocked(db: Tx, req: ReserveRequest): Promise<ReserveResult> {
    const c = this.table(COUNTERS);
    for (const it of req.items) {
      const r =
        await sql<Row>`select spent_usd + reserved_usd + ${req.amountUsd}::numeric <= ${it.budget.amountUsd}::numeric as fits,
        spent_usd, reserved_usd from ${c} where budget_id = ${it.budget.id} and period_key = ${it.periodKey}`.execute(
          db,
        );
      const row = r.rows[0]!;
      if (row.fits !== true)
        return {
          ok: false,
          budgetId: it.budget.id,
          periodKey: it.periodKey,
          spentUsd: decimalText(row.spent_usd),
          reservedUsd: decimalText(row.reserved_usd),
          limitUsd: it.budget.amountUsd,
        };
    }
    for (const it of req.items) {
      await sql`update ${c} set reserved_usd = reserved_usd + ${req.amountUsd}::numeric
        where budget_id = ${it.budget.id} and period_key = ${it.periodKey}`.execute(db);
      await sql`insert into ${this.table(RESERVATIONS)} (id, budget_id, period_key, amount_usd, expires_ms, state)
        values (${req.id}, ${it.budget.id}, ${it.periodKey}, ${req.amountUsd}::numeric, ${req.expiresAt}, 'open')`.execute(
        db,
      );
    }
    return { ok: true };
  }

  /** One statement: the reservation rows move to `settled`, each counter trades its hold for the actual cost. */
  async #settle(reservationId: string, actualUsd: string): Promise<SettledCounter[]> {
    const c = this.table(COUNTERS);
    const res = this.table(RESERVATIONS);
    const a = actualUsd;
    const q = sql<Row>`with o as (select id, budget_id, period_key, amount_usd, state as was from ${res}
        where id = ${reservationId} and state in ('open', 'expired') order by budget_id for update),
      r as (update ${res} set state = 'settled' from o where ${res}.id = o.id and ${res}.budget_id = o.budget_id
        returning o.budget_id, o.period_key, o.amount_usd, o.was),
      u as (update ${c} set spent_usd = spent_usd + ${a}::numeric,
          reserved_usd = greatest(0, reserved_usd - case when r.was = 'open' then r.amount_usd else 0 end)
        from r where ${c}.budget_id = r.budget_id and ${c}.period_key = r.period_key
        returning ${c}.budget_id, ${c}.period_key, spent_usd - ${a}::numeric as before, spent_usd as after)
      select * from u order by budget_id`;
    const r = await this.#tx(await this.db(), false, (tx) => q.execute(tx));
    return r.rows.map((row) => ({
      budgetId: String(row.budget_id),
      periodKey: String(row.period_key),
      spentBeforeUsd: decimalText(row.before),
      spentAfterUsd: decimalText(row.after),
    }));
  }

  async #release(reservationId: string): Promise<void> {
    const c = this.table(COUNTERS);
    const res = this.table(RESERVATIONS);
    await sql`with r as (update ${res} set state = 'released' where id = ${reservationId} and state = 'open'
        returning budget_id, period_key, amount_usd)
      update ${c} set reserved_usd = greatest(0, reserved_usd - r.amount_usd)
      from r where ${c}.budget_id = r.budget_id and ${c}.period_key = r.period_key`.execute(await this.db());
  }
}
