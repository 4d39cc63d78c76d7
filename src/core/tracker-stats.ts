/** Why an event was not stored. Every drop is counted under exactly one reason, never silently. */
export type DropReason =
  | "queue_full"
  | "too_large"
  | "after_shutdown"
  | "retry_exhausted"
  | "rejected"
  | "internal_error"
  | "invalid_usage"
  | "invalid_timestamp";

export interface TrackerStats {
  /** Events accepted by `record()` (after sampling). */
  readonly recorded: number;
  /** Events confirmed stored. */
  readonly persisted: number;
  readonly dropped: Readonly<Record<DropReason, number>>;
  /** Calls not kept because of `sampleRate` (not part of `recorded`). */
  readonly sampledOut: number;
  /** Failed storage writes, by error class. */
  readonly retries: Readonly<{ transient: number; backend: number; row: number }>;
  readonly queueDepth: number;
  readonly flushes: number;
  readonly lastFlushDurationMs: number | null;
  readonly storageHealthy: boolean;
  /** Invalid counts and other provider oddities, kept and logged. */
  readonly anomalies: number;
  /** Internal failures by stage; none of them reached the host. */
  readonly internalErrors: Readonly<Record<string, number>>;
}

export interface FlushResult {
  /** Events stored during this call. */
  readonly persisted: number;
  /** Events dropped during this call. */
  readonly dropped: number;
  /** Events recorded before the call that are still queued. */
  readonly pending: number;
  readonly timedOut: boolean;
}

const DROP_REASONS: readonly DropReason[] = [
  "queue_full",
  "too_large",
  "after_shutdown",
  "retry_exhausted",
  "rejected",
  "internal_error",
  "invalid_usage",
  "invalid_timestamp",
];

/**
 * The tracker's counters, shared by its parts (facade, batcher, lifecycle): each part increments what it
 * observes, and `stats()` / `FlushResult` read them here, so there is one source for every figure.
 * Plain mutable fields on purpose: `record()` bumps them on the host's path and must stay O(1).
 */
export class TrackerCounters {
  recorded = 0;
  persisted = 0;
  sampledOut = 0;
  anomalies = 0;
  flushes = 0;
  lastFlushMs: number | null = null;
  healthy = true;
  readonly dropped = Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>;
  readonly retries = { transient: 0, backend: 0, row: 0 };
  readonly internal: Record<string, number> = {};

  droppedTotal(): number {
    let n = 0;
    for (const r of DROP_REASONS) n += this.dropped[r];
    return n;
  }

  /** A copy: callers may keep or change it without touching the live counters. */
  snapshot(queueDepth: number): TrackerStats {
    return {
      recorded: this.recorded,
      persisted: this.persisted,
      dropped: { ...this.dropped },
      sampledOut: this.sampledOut,
      retries: { ...this.retries },
      queueDepth,
      flushes: this.flushes,
      lastFlushDurationMs: this.lastFlushMs,
      storageHealthy: this.healthy,
      anomalies: this.anomalies,
      internalErrors: { ...this.internal },
    };
  }
}
