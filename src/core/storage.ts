import type { LedgerEvent } from "./event.js";
import type { QuotaHistory } from "./quota-history.js";
import type { EventQuery, LatencyQuery, LatencyRow, RollupQuery, RollupResult } from "./query.js";

/**
 * The storage port. Adapters: memory (tests), SQLite (embedded default) and PostgreSQL, all passing one
 * contract suite. Inserts are idempotent by event id: re-inserting a stored id changes nothing.
 */
export interface StorageAdapter {
  /** `memory`, `sqlite`, `postgres`, ... */
  readonly kind: string;
  /** Open connections and run pending migrations (unless disabled). Safe to call more than once. */
  init(): Promise<void>;
  /** Insert a batch atomically. Rejects with a `StorageError` whose `kind` says whether a retry can help. */
  insertBatch(events: readonly LedgerEvent[]): Promise<void>;
  /**
   * Synchronous insert for the process `exit` hook. Only embedded backends (SQLite) provide it.
   * Must never throw.
   */
  insertBatchSync?(events: readonly LedgerEvent[]): boolean;
  /**
   * Insert or overwrite by id, atomically: a stored row with one of these ids is removed (and taken out of the
   * rollups) and the new row stored, in one transaction. Used by log imports to revise provisional rows
   * (a message still streaming when it was first read). Optional: adapters without it never revise.
   */
  replaceBatch?(events: readonly LedgerEvent[]): Promise<void>;
  /** Cost rollups, computed in the database. */
  rollup(query: RollupQuery): Promise<RollupResult>;
  /** Latency percentiles per group, nearest-rank. */
  latency(query: LatencyQuery): Promise<readonly LatencyRow[]>;
  /** Stream stored events (for export and `prices check`), oldest first. */
  events(query: EventQuery): AsyncIterable<LedgerEvent>;
  /** The quota monitor's snapshot history (`tokenledger quota`); absent on adapters that do not keep it. */
  readonly quotaHistory?: QuotaHistory;
  /** Release what the adapter created. A pool or Kysely instance the host passed in is left open. */
  close(): Promise<void>;
}
