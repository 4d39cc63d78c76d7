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
import { DIMENSION_SOURCE, StorageError } from "tokenledger/storage-kit";
import { checkQuery, groupDims, nearestRank, percentileKey } from "../_shared/query-checks.js";
import { addEvent, emptyRaw, toMeasures, type RawMeasures } from "../_shared/measures.js";
import { bucketOf } from "../_shared/time-zone.js";
import { whereValues } from "../_shared/dimensions.js";
import { compareGroups, orderRows } from "../_shared/order.js";
import { StorageAdapterBase } from "../_shared/storage-base.js";
import { MemoryQuotaHistory } from "./memory-quota-history.js";

function dimValue(e: LedgerEvent, d: Dimension): string | null {
  return (e[DIMENSION_SOURCE[d].key] as string | null | undefined) ?? null; // optional fields (target) may be absent
}

/**
 * The storage contract in plain JS, for tests and `:memory:`: nothing survives the process.
 * Rollups use decimal.js and time zones come from Intl, like the SQL backends.
 */
export class MemoryStorage extends StorageAdapterBase {
  readonly kind = "memory";
  readonly #events = new Map<string, LedgerEvent>();
  readonly quotaHistory = new MemoryQuotaHistory();
  #closed = false;

  async init(): Promise<void> {}

  async insertBatch(events: readonly LedgerEvent[]): Promise<void> {
    if (!this.insertBatchSync(events)) throw new StorageError("memory storage is closed", "backend");
  }

  async replaceBatch(events: readonly LedgerEvent[]): Promise<void> {
    if (this.#closed) throw new StorageError("memory storage is closed", "backend");
    for (const e of events) this.#events.set(e.id, e);
  }

  insertBatchSync(events: readonly LedgerEvent[]): boolean {
    if (this.#closed) return false;
    for (const e of events) if (!this.#events.has(e.id)) this.#events.set(e.id, e);
    return true;
  }

  #matching(q: { since?: Date; until?: Date; where?: RollupQuery["where"] }): LedgerEvent[] {
    const since = q.since?.getTime() ?? Number.NEGATIVE_INFINITY;
    const until = q.until?.getTime() ?? Number.POSITIVE_INFINITY;
    const filters = Object.entries(q.where ?? {}).map(
      ([d, v]) => [d as Dimension, new Set(whereValues(v!))] as const,
    );
    const out: LedgerEvent[] = [];
    for (const e of this.#events.values()) {
      const t = e.timestamp.getTime();
      if (t < since || t >= until) continue;
      if (filters.every(([d, allowed]) => allowed.has(dimValue(e, d)))) out.push(e);
    }
    return out;
  }

  async rollup(q: RollupQuery): Promise<RollupResult> {
    checkQuery(q);
    const dims = groupDims(q);
    const tz = q.timeZone ?? "UTC";
    const groups = new Map<string, { key: Record<string, string | null>; m: RawMeasures }>();
    const total = emptyRaw();
    for (const e of this.#matching(q)) {
      addEvent(total, e);
      const key: Record<string, string | null> = {};
      if (q.bucket) key.period = bucketOf(e.timestamp.getTime(), q.bucket, tz);
      for (const d of dims) key[d] = dimValue(e, d);
      const k = JSON.stringify(key);
      let g = groups.get(k);
      if (!g) groups.set(k, (g = { key, m: emptyRaw() }));
      addEvent(g.m, e);
    }
    const rows: RollupRow[] = [...groups.values()].map(
      (g) => ({ ...g.key, ...toMeasures(g.m) }) as RollupRow,
    );
    return { rows: orderRows(rows, q, dims), totals: toMeasures(total) };
  }

  async latency(q: LatencyQuery): Promise<readonly LatencyRow[]> {
    checkQuery(q);
    const dims = groupDims(q);
    const ps = q.percentiles ?? [0.5, 0.9, 0.99];
    const groups = new Map<string, { key: Record<string, string | null>; values: number[] }>();
    for (const e of this.#matching(q)) {
      if (e.latencyMs === null) continue;
      const key: Record<string, string | null> = {};
      for (const d of dims) key[d] = dimValue(e, d);
      const k = JSON.stringify(key);
      let g = groups.get(k);
      if (!g) groups.set(k, (g = { key, values: [] }));
      g.values.push(e.latencyMs);
    }
    const rows = [...groups.values()].map((g) => {
      const sorted = g.values.sort((a, b) => a - b);
      const latencyMs: Record<string, number | null> = {};
      for (const p of ps) latencyMs[percentileKey(p)] = sorted[nearestRank(p, sorted.length) - 1] ?? null;
      return { ...g.key, count: sorted.length, latencyMs } as LatencyRow;
    });
    return rows.sort((a, b) => compareGroups(a, b, dims));
  }

  async *events(q: EventQuery): AsyncIterable<LedgerEvent> {
    const list = this.#matching(q)
      .filter((e) => !q.unpricedOnly || e.unpriced)
      .sort(
        (a, b) => a.timestamp.getTime() - b.timestamp.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
      );
    yield* list;
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}

export function memoryStorage(): MemoryStorage {
  return new MemoryStorage();
}
