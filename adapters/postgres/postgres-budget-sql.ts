import { sql, type RawBuilder } from "kysely";
import type { ReserveRequest } from "tokenledger/storage-kit";

type Table = (name: string) => RawBuilder<unknown>;

/**
 * `asyncCommit`: `set_config(…, true)` inside the statement's own implicit transaction. PostgreSQL reads
 * `synchronous_commit` when that transaction commits (after the statement), so one round trip gets the
 * no-WAL-flush commit that otherwise needs BEGIN / SET LOCAL / COMMIT (four round trips).
 */
function asyncCte(on: boolean): RawBuilder<unknown> {
  return on ? sql`sc as (select set_config('synchronous_commit', 'off', true) as v),` : sql``;
}
const asyncFrom = (on: boolean): RawBuilder<unknown> => (on ? sql`, sc` : sql``);

/**
 * The whole reservation in one statement (one round trip), for any number of budgets:
 * 1. `locked` takes the counter rows with `ORDER BY … FOR UPDATE` (PostgreSQL locks after sorting, so every
 *    caller locks in (budget, period) order and two stacked reservations cannot deadlock);
 * 2. the `(select count(*) from locked)` guards are one-time filters: the other steps start only after every
 *    counter is locked, so reservation rows are never locked before counters (settle and release do the same);
 * 3. expired holds are reclaimed, each budget is checked, and the estimate is added to all or none.
 * Returns one row per counter found (fewer than asked: a counter row is missing, nothing was changed but
 * reclaiming).
 */
export function reserveSql(
  t: Table,
  req: ReserveRequest,
  asyncCommit: boolean,
  sortLocks = true,
): RawBuilder<Record<string, unknown>> {
  const c = t("token_ledger_budget_counters");
  const r = t("token_ledger_budget_reservations");
  const x = sql`${req.amountUsd}::numeric`;
  const items = sql.join(
    req.items.map(
      (it, i) =>
        sql`(${it.budget.id}::text, ${it.periodKey}::text, ${it.budget.amountUsd}::numeric, ${i}::int)`,
    ),
  );
  const barrier = sql`(select count(*) from locked) >= 0`;
  return sql<Record<string, unknown>>`with ${asyncCte(asyncCommit)}
    items (budget_id, period_key, lim, pos) as (values ${items}),
    locked as (select c.budget_id, c.period_key, c.spent_usd, c.reserved_usd, i.lim
      from ${c} c join items i on c.budget_id = i.budget_id and c.period_key = i.period_key
      order by ${sortLocks ? sql`c.budget_id, c.period_key` : sql`i.pos`} for update of c),
    exp as (update ${r} r set state = 'expired' from locked l where ${barrier}
      and r.budget_id = l.budget_id and r.period_key = l.period_key and r.state = 'open'
      and r.expires_ms < ${req.now} returning r.budget_id, r.period_key, r.amount_usd),
    freed as (select budget_id, period_key, sum(amount_usd) as f from exp group by budget_id, period_key),
    chk as (select l.budget_id, l.period_key, l.spent_usd, l.reserved_usd - coalesce(f.f, 0) as reserved_usd,
        coalesce(f.f, 0) as f, l.lim, l.spent_usd + l.reserved_usd - coalesce(f.f, 0) + ${x} <= l.lim as fits
      from locked l left join freed f on f.budget_id = l.budget_id and f.period_key = l.period_key),
    verdict as (select coalesce(bool_and(fits), false) and count(*) = ${req.items.length} as ok from chk),
    upd as (update ${c} c set reserved_usd = c.reserved_usd - chk.f + case when v.ok then ${x} else 0 end
      from chk, verdict v where c.budget_id = chk.budget_id and c.period_key = chk.period_key
        and (v.ok or chk.f > 0) returning c.budget_id),
    ins as (insert into ${r} (id, budget_id, period_key, amount_usd, expires_ms, state)
      select ${req.id}, chk.budget_id, chk.period_key, ${x}, ${req.expiresAt}, 'open'
      from chk, verdict v where v.ok)
    select chk.budget_id, chk.period_key, chk.spent_usd, chk.reserved_usd, chk.lim, chk.fits, v.ok
    from chk, verdict v ${asyncFrom(asyncCommit)} order by chk.budget_id, chk.period_key`;
}

/**
 * Settle in one statement: the reservation's counters are locked first, in the same (budget, period) order as
 * `reserveSql`, then its rows (re-read under that lock: whether a row was still `open` or already reclaimed as
 * `expired` decides whether its hold leaves `reserved`) move to `settled`, and each counter trades its hold for
 * the actual cost.
 */
export function settleSql(
  t: Table,
  id: string,
  actualUsd: string,
  asyncCommit: boolean,
): RawBuilder<Record<string, unknown>> {
  const c = t("token_ledger_budget_counters");
  const r = t("token_ledger_budget_reservations");
  const a = sql`${actualUsd}::numeric`;
  return sql<Record<string, unknown>>`with ${asyncCte(asyncCommit)}
    o as (select budget_id, period_key from ${r} where id = ${id} and state in ('open', 'expired')),
    locked as (select c.budget_id, c.period_key from ${c} c join o on c.budget_id = o.budget_id
      and c.period_key = o.period_key order by c.budget_id, c.period_key for update of c),
    held as (select budget_id, period_key, amount_usd, state from ${r} where id = ${id}
      and state in ('open', 'expired') and (select count(*) from locked) >= 0 for update),
    s as (update ${r} r set state = 'settled' from held h where r.id = ${id} and r.budget_id = h.budget_id
      returning h.budget_id, h.period_key, h.amount_usd, h.state as was),
    u as (update ${c} c set spent_usd = c.spent_usd + ${a},
        reserved_usd = greatest(0, c.reserved_usd - case when s.was = 'open' then s.amount_usd else 0 end)
      from s where c.budget_id = s.budget_id and c.period_key = s.period_key
      returning c.budget_id, c.period_key, c.spent_usd - ${a} as before, c.spent_usd as after)
    select u.* from u ${asyncFrom(asyncCommit)} order by u.budget_id`;
}

/** Release an open reservation; counters locked first, in order (as in `settleSql`). */
export function releaseSql(t: Table, id: string, asyncCommit: boolean): RawBuilder<unknown> {
  const c = t("token_ledger_budget_counters");
  const r = t("token_ledger_budget_reservations");
  return sql`with ${asyncCte(asyncCommit)}
    o as (select budget_id, period_key from ${r} where id = ${id} and state = 'open'),
    locked as (select c.budget_id, c.period_key from ${c} c join o on c.budget_id = o.budget_id
      and c.period_key = o.period_key order by c.budget_id, c.period_key for update of c),
    held as (select budget_id, period_key, amount_usd from ${r} where id = ${id} and state = 'open'
      and (select count(*) from locked) >= 0 for update),
    rel as (update ${r} r set state = 'released' from held h where r.id = ${id} and r.budget_id = h.budget_id
      returning h.budget_id, h.period_key, h.amount_usd),
    u as (update ${c} c set reserved_usd = greatest(0, c.reserved_usd - rel.amount_usd)
      from rel where c.budget_id = rel.budget_id and c.period_key = rel.period_key returning c.budget_id)
    select count(*) as n from u ${asyncFrom(asyncCommit)}`;
}
