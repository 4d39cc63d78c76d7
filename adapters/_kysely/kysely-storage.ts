import { sql, type RawBuilder } from "kysely";
import type {
  Dimension,
  EventQuery,
  LatencyQuery,
  LatencyRow,
  LedgerEvent,
  RollupQuery,
  RollupResult,
  RollupRow,
} from "tokenledger/storage-kit";
import { TokenLedgerConfigError, toStorageError } from "tokenledger/storage-kit";
import { EVENT_COLUMN } from "../_shared/dimensions.js";
import { addRaw, emptyRaw, toMeasures, type RawMeasures } from "../_shared/measures.js";
import { compareGroups, orderRows } from "../_shared/order.js";
import { StorageAdapterBase } from "../_shared/storage-base.js";
import { checkQuery, groupDims, percentileKey } from "../_shared/query-checks.js";
import { offsetSpans, type OffsetSpan } from "../_shared/time-zone.js";
import type { StoredRow } from "./event-row.js";
import type { MigrationStatus } from "./migrator.js";
import { KyselyQuotaHistory } from "./quota-history.js";
import { KyselyAccessStore } from "./access-store.js";
import { KyselyAuditLog } from "./audit-log.js";
import { KyselyTimedCounts } from "./latency-histogram.js";
import { KyselyProviderHealth } from "./provider-health-store.js";
import type { LedgerDb } from "./schema.js";
import {
  PROJECTIONS,
  chooseProjection,
  projectionByTable,
  whyNot,
  type Projection,
  type SourceNeeds,
} from "./projections.js";
import { EVENTS_TABLE } from "./schema.js";
import type { SqlFlavor } from "./sql-flavor.js";
import { whereSql } from "./where-sql.js";

const ALL_PROJECTION_TABLES: ReadonlySet<string> = new Set(PROJECTIONS.map((p) => p.table));

/**
 * Shared read side of the SQL adapters: rollups (the smallest rollup projection that can answer, else a scan),
 * nearest-rank latency percentiles and keyset-paged event streaming. Subclasses own connections,
 * inserts and migrations.
 */
export abstract class KyselyStorage extends StorageAdapterBase {
  /** Apply pending migrations now (whatever `migrate` says); returns the names applied. */
  abstract migrateToLatest(): Promise<string[]>;
  abstract migrationStatus(): Promise<MigrationStatus>;
  /** The open Kysely instance (opens the connection if needed, without migrating). */
  protected abstract database(): Promise<LedgerDb>;
  protected abstract readonly flavor: SqlFlavor;

  #quotaHistory: KyselyQuotaHistory | undefined;
  /** Quota monitor snapshots in the same database (migration 0013). */
  get quotaHistory(): KyselyQuotaHistory {
    this.#quotaHistory ??= new KyselyQuotaHistory(
      () => this.database(),
      (name) => this.flavor.table(name),
    );
    return this.#quotaHistory;
  }

  #access: KyselyAccessStore | undefined;
  /** The server's API keys and dashboard sessions (migration 0017). */
  get access(): KyselyAccessStore {
    this.#access ??= new KyselyAccessStore(
      () => this.init().then(() => this.database()),
      (name) => this.flavor.table(name),
    );
    return this.#access;
  }

  #audit: KyselyAuditLog | undefined;
  /** The hash-chained, append-only audit trail (migration 0018). */
  get audit(): KyselyAuditLog {
    this.#audit ??= new KyselyAuditLog(
      () => this.init().then(() => this.database()),
      (name) => this.flavor.table(name),
    );
    return this.#audit;
  }

  #timedCounts: KyselyTimedCounts | undefined;
  /** Latency and time-to-first-token counts for the server's percentiles (histogram: migration 0022). */
  get timedCounts(): KyselyTimedCounts {
    this.#timedCounts ??= new KyselyTimedCounts(() => this.init().then(() => this.database()), this.flavor);
    return this.#timedCounts;
  }

  #providerHealth: KyselyProviderHealth | undefined;
  /** tokenledger/failover's shared breaker transitions (migration 0020): pass as `failover({ share: { store } })`. */
  get providerHealth(): KyselyProviderHealth {
    this.#providerHealth ??= new KyselyProviderHealth(
      () => this.init().then(() => this.database()),
      (name) => this.flavor.table(name),
    );
    return this.#providerHealth;
  }

  /** Stored events with these ids (any order; ids not stored are absent). The server's idempotency check. */
  async eventsById(ids: readonly string[]): Promise<LedgerEvent[]> {
    if (ids.length === 0) return [];
    const db = await this.database();
    const f = this.flavor;
    try {
      const r = await sql<StoredRow>`select *${f.eventSelect} from ${f.table(EVENTS_TABLE)}
        where id in (${sql.join(ids)})`.execute(db);
      return r.rows.map((row) => f.toEvent(row));
    } catch (err) {
      throw toStorageError(err, `${this.kind} eventsById`);
    }
  }

  /**
   * Stored events carrying one of these provider request ids, with `since <= ts < until` (the time bound lets the
   * `ts` index narrow the scan: request_id has no index). How a live row finds an imported row of its call.
   */
  async eventsByRequestId(requestIds: readonly string[], since: Date, until: Date): Promise<LedgerEvent[]> {
    if (requestIds.length === 0) return [];
    const db = await this.database();
    const f = this.flavor;
    try {
      const r = await sql<StoredRow>`select *${f.eventSelect} from ${f.table(EVENTS_TABLE)}
        where ts >= ${f.time(since.getTime())} and ts < ${f.time(until.getTime())}
        and request_id in (${sql.join(requestIds)})`.execute(db);
      return r.rows.map((row) => f.toEvent(row));
    } catch (err) {
      throw toStorageError(err, `${this.kind} eventsByRequestId`);
    }
  }

  // Test and benchmark knobs. `@internal` keeps them out of the published `.d.ts` (tsconfig `stripInternal`):
  // they are how tests prove every read path agrees, not something an application should lean on.
  /** @internal Whether the last rollup() read a rollup projection or scanned the events. */
  lastRollupSource: "rollup" | "events" | null = null;
  /** @internal Table of the projection the last rollup() read, null after an events scan. */
  lastProjection: string | null = null;
  /** @internal Force the events scan (benchmarks and tests compare paths). */
  forceScan = false;
  /** @internal Force one projection by table name; a rollup it cannot answer then throws. */
  forceProjection: string | null = null;

  async rollup(q: RollupQuery): Promise<RollupResult> {
    checkQuery(q);
    const db = await this.database();
    return this.guardRead("rollup", () => this.#rollup(db, q));
  }

  #allProjectionsExist = false;

  /**
   * Projection tables present: a ledger opened with `migrate: false` may not have run a newer migration yet.
   * Re-read until all exist (cheap), then trusted: migrations only ever add them.
   */
  async #projectionTables(db: LedgerDb): Promise<ReadonlySet<string>> {
    if (this.#allProjectionsExist) return ALL_PROJECTION_TABLES;
    const names = new Set((await this.flavor.tableNames.execute(db)).rows.map((r) => r.name));
    const present = new Set([...ALL_PROJECTION_TABLES].filter((t) => names.has(t)));
    this.#allProjectionsExist = present.size === ALL_PROJECTION_TABLES.size;
    return present;
  }

  /** The projection this query reads (null: scan events), honouring the force options. */
  #source(
    q: RollupQuery,
    dims: readonly Dimension[],
    spans: readonly OffsetSpan[],
    present: ReadonlySet<string>,
  ): Projection | null {
    if (this.forceScan) return null;
    const needs: SourceNeeds = {
      dims: [...new Set([...dims, ...(Object.keys(q.where ?? {}) as Dimension[])])],
      ...(q.since ? { since: q.since.getTime() } : {}),
      ...(q.until ? { until: q.until.getTime() } : {}),
      ...(q.bucket ? { bucket: q.bucket } : {}),
      spans,
    };
    if (this.forceProjection === null) return chooseProjection(needs, present);
    const forced = projectionByTable(this.forceProjection);
    const why = present.has(forced.table)
      ? whyNot(forced, needs)
      : "its table does not exist yet: a migration is pending";
    if (why)
      throw new TokenLedgerConfigError(`forceProjection: ${forced.table} cannot answer this query (${why})`);
    return forced;
  }

  async #rollup(db: LedgerDb, q: RollupQuery): Promise<RollupResult> {
    const f = this.flavor;
    const dims = groupDims(q);
    const tz = q.timeZone ?? "UTC";
    let spans: OffsetSpan[] = [];
    if (q.bucket) {
      const range = await this.#timeRange(db, q);
      if (!range) return { rows: [], totals: toMeasures(emptyRaw()) };
      spans = offsetSpans(tz, range[0], range[1]);
    }
    const projection = this.#source(q, dims, spans, await this.#projectionTables(db));
    const useRollup = projection !== null;
    this.lastRollupSource = useRollup ? "rollup" : "events";
    this.lastProjection = projection?.table ?? null;
    const timeCol = projection?.timeColumn ?? "ts";
    const table = f.table(projection?.table ?? EVENTS_TABLE);
    const where = whereSql(q, useRollup ? "rollup" : "events", timeCol, this.#t(q.since), this.#t(q.until));
    const keys: RawBuilder<unknown>[] = [];
    if (q.bucket) keys.push(sql`${f.period(timeCol, q.bucket, tz, spans)} as period`);
    for (const d of dims) keys.push(sql`${sql.ref(EVENT_COLUMN[d])} as ${sql.id(`d_${d}`)}`);
    const measures = useRollup ? f.rollupMeasures : f.eventMeasures;
    const select = keys.length > 0 ? sql`${sql.join(keys)}, ${measures}` : measures;
    const groupBy = keys.length > 0 ? sql` group by ${sql.join(keys.map((_, i) => sql.lit(i + 1)))}` : sql``;
    const result = await sql<StoredRow>`select ${select} from ${table} where ${where}${groupBy}`.execute(db);

    const total = emptyRaw();
    const rows: RollupRow[] = [];
    for (const r of result.rows) {
      if (Number(r.events ?? 0) === 0) continue; // an ungrouped aggregate over no rows
      const m = this.#raw(r);
      addRaw(total, m);
      const row: Record<string, unknown> = {};
      if (q.bucket) row.period = String(r.period);
      for (const d of dims) {
        const v = r[`d_${d}`];
        row[d] = v === null || v === undefined || (useRollup && v === "") ? null : String(v);
      }
      rows.push({ ...row, ...toMeasures(m) } as RollupRow);
    }
    return { rows: orderRows(rows, q, dims), totals: toMeasures(total) };
  }

  #t(d?: Date): unknown {
    return d === undefined ? undefined : this.flavor.time(d.getTime());
  }

  /** [from, to] in ms to compute zone offsets over: the query bounds, else the stored data's span. */
  async #timeRange(db: LedgerDb, q: RollupQuery): Promise<[number, number] | null> {
    if (q.since && q.until) return [q.since.getTime(), q.until.getTime()];
    const r =
      await sql<StoredRow>`select min(ts) as lo, max(ts) as hi from ${this.flavor.table(EVENTS_TABLE)}`.execute(
        db,
      );
    const row = r.rows[0];
    if (!row || row.lo === null || row.lo === undefined) return null;
    return [
      q.since?.getTime() ?? this.flavor.readTime(row.lo),
      q.until?.getTime() ?? this.flavor.readTime(row.hi) + 1,
    ];
  }

  #raw(r: StoredRow): RawMeasures {
    const n = (k: string) => Number(r[k] ?? 0);
    return {
      requests: n("requests"),
      events: n("events"),
      uncached: n("uncached"),
      cacheRead: n("cache_read"),
      cacheWrite5m: n("cache_write_5m"),
      cacheWrite1h: n("cache_write_1h"),
      output: n("output"),
      reasoning: n("reasoning"),
      cost: this.flavor.readCost(r),
      unpriced: n("unpriced"),
      errors: n("errors"),
    };
  }

  async latency(q: LatencyQuery): Promise<readonly LatencyRow[]> {
    checkQuery(q);
    const db = await this.database();
    const dims = groupDims(q);
    const ps = q.percentiles ?? [0.5, 0.9, 0.99];
    return this.guardRead("latency", async () => {
      const where = whereSql(q, "events", "ts", this.#t(q.since), this.#t(q.until));
      const res = await this.flavor
        .latency(
          dims.map((d) => EVENT_COLUMN[d]),
          where,
          ps,
        )
        .execute(db);
      const rows = res.rows.flatMap((r) => latencyRow(r, dims, ps));
      return rows.sort((a, b) => compareGroups(a, b, dims));
    });
  }

  async *events(q: EventQuery): AsyncIterable<LedgerEvent> {
    const pageSize = q.pageSize ?? 1000;
    const db = await this.database();
    const f = this.flavor;
    const base = whereSql(q, "events", "ts", this.#t(q.since), this.#t(q.until));
    const unpriced = q.unpricedOnly ? sql` and unpriced` : sql``;
    let after: { ts: unknown; id: string } | null = null;
    for (;;) {
      const cursor: RawBuilder<unknown> = after
        ? sql` and (ts > ${after.ts} or (ts = ${after.ts} and id > ${after.id}))`
        : sql``;
      let page;
      try {
        page =
          await sql<StoredRow>`select *${f.eventSelect} from ${f.table(EVENTS_TABLE)} where ${base}${unpriced}${cursor} order by ts, id limit ${pageSize}`.execute(
            db,
          );
      } catch (err) {
        throw toStorageError(err, `${this.kind} events`);
      }
      for (const r of page.rows) yield f.toEvent(r);
      if (page.rows.length < pageSize) return;
      const last = page.rows[page.rows.length - 1]!;
      after = { ts: last.ts, id: String(last.id) };
    }
  }
}

/** One latency group as the port returns it; groups with no timed event are left out (null percentiles). */
function latencyRow(r: StoredRow, dims: readonly Dimension[], ps: readonly number[]): LatencyRow[] {
  const count = Number(r.n ?? 0);
  if (count === 0) return [];
  const latencyMs: Record<string, number | null> = {};
  ps.forEach((p, i) => {
    const v = r[`p_${i}`];
    latencyMs[percentileKey(p)] = v === null || v === undefined ? null : Number(v);
  });
  const row: Record<string, unknown> = { count, latencyMs };
  dims.forEach((d, i) => {
    const v = r[`d_${i}`];
    row[d] = v === null || v === undefined ? null : String(v);
  });
  return [row as LatencyRow];
}
