import type { BudgetStore } from "../budgets/store.js";
import type { LedgerEvent } from "../core/event.js";
import type { Dimension, RollupQuery } from "../core/query.js";
import type { StorageAdapter } from "../core/storage.js";
import type { TimedMetric } from "../storage-kit.js";

/** A stored API key (adapters/_kysely/access-store.ts). `hash`: hex SHA-256 of the secret; `scope`: JSON text. */
export interface ApiKeyRow {
  readonly id: string;
  readonly prefix: string;
  readonly hash: string;
  readonly name: string;
  readonly role: string;
  readonly scope: string;
  readonly userId: string | null;
  readonly createdAt: number;
  readonly revokedAt: number | null;
}

/** A dashboard session; `id` is the hex SHA-256 of the cookie value. */
export interface SessionRow {
  readonly id: string;
  readonly keyId: string;
  readonly csrf: string;
  readonly createdAt: number;
  readonly expiresAt: number;
}

export interface AccessStore {
  insertKey(k: ApiKeyRow): Promise<void>;
  keyByPrefix(prefix: string): Promise<ApiKeyRow | null>;
  keyById(id: string): Promise<ApiKeyRow | null>;
  listKeys(): Promise<ApiKeyRow[]>;
  /** Revokes the key and deletes its sessions; null when no live key matched. */
  revokeKey(idOrPrefix: string, now: number): Promise<ApiKeyRow | null>;
  insertSession(s: SessionRow): Promise<void>;
  session(idHash: string, now: number): Promise<SessionRow | null>;
  deleteSession(idHash: string): Promise<void>;
  deleteExpiredSessions(now: number): Promise<void>;
  /** Count a request against `key` in its fixed window, shared by every process on the ledger; the new count. */
  rateLimitHit(key: string, windowMs: number, now: number): Promise<{ hits: number; windowStart: number }>;
  /** Drop rate-limit counters whose window started before `before`. */
  pruneRateLimits(before: number): Promise<void>;
}

export interface AuditInput {
  /** Who: `key:<id>` for API callers, `cli:<os user>` for the command line. */
  readonly actor: string;
  /** What, dotted: `budget.create`, `key.revoke`, `alert.ack`, `session.login`, ... */
  readonly action: string;
  /** The object acted on (a budget id, a key id), or null. */
  readonly target: string | null;
  readonly details: Readonly<Record<string, unknown>>;
}

export interface AuditEntry extends AuditInput {
  readonly seq: number;
  /** ISO-8601 UTC. */
  readonly at: string;
  readonly prevHash: string;
  readonly hash: string;
}

export type AuditVerdict =
  | { readonly ok: true; readonly rows: number }
  | { readonly ok: false; readonly rows: number; readonly seq: number; readonly reason: string };

export interface AuditLog {
  append(input: AuditInput, now?: number): Promise<AuditEntry>;
  list(limit: number, beforeSeq?: number): Promise<AuditEntry[]>;
  verify(pageSize?: number): Promise<AuditVerdict>;
}

/** One group's count of one value (or histogram bucket lower bound); `dims` in the order asked, null = none. */
export interface ValueCount {
  readonly dims: readonly (string | null)[];
  readonly value: number;
  readonly n: number;
}

export interface TimedCountQuery {
  readonly metric: TimedMetric;
  readonly groupBy: readonly Dimension[];
  readonly where: NonNullable<RollupQuery["where"]>;
  /** Epoch ms, inclusive. */
  readonly since: number;
  /** Epoch ms, exclusive. */
  readonly until: number;
}

/** Counts of latency / time-to-first-token values per group, the server's percentile source. */
export interface TimedCounts {
  /** Whether the latency histogram exists (migration 0022). */
  hasHistogram(): Promise<boolean>;
  /** Bucket counts from the histogram (adapters/_shared/latency-buckets.ts); since and until whole UTC days. */
  histogram(q: TimedCountQuery): Promise<ValueCount[]>;
  /** Exact counts from the events table. */
  events(q: TimedCountQuery): Promise<ValueCount[]>;
}

/** What the server needs from a ledger: the SQL adapters (SQLite, PostgreSQL) provide all of it. */
export interface ServerStorage extends StorageAdapter {
  readonly access: AccessStore;
  readonly audit: AuditLog;
  readonly budgets: BudgetStore;
  readonly timedCounts: TimedCounts;
  eventsById(ids: readonly string[]): Promise<LedgerEvent[]>;
  /** insertBatch that returns the ids it stored (the others were already there), atomically per id. */
  insertNew(events: readonly LedgerEvent[]): Promise<string[]>;
}

/** Narrow a ledger to what the server needs, or say which backend it is. */
export function asServerStorage(storage: StorageAdapter): ServerStorage | null {
  const s = storage as Partial<ServerStorage>;
  return s.access &&
    s.audit &&
    s.budgets &&
    s.timedCounts &&
    typeof s.eventsById === "function" &&
    typeof s.insertNew === "function"
    ? (storage as ServerStorage)
    : null;
}
