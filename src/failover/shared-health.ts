import type { FailoverGroup } from "./group.js";
import type { BreakerState } from "./types.js";

/** One target's last breaker transition as sibling processes see it (`token_ledger_provider_health`). */
export interface ProviderHealthRow {
  readonly group: string;
  readonly target: string;
  readonly state: BreakerState;
  /** When an open breaker lets its next probe through (epoch ms); null when closed. */
  readonly untilMs: number | null;
  readonly reason: string | null;
  /** Which process wrote the row (so a process skips its own transitions). */
  readonly writer: string;
  readonly updatedMs: number;
}

/**
 * Where breaker transitions are shared: `sqliteStorage(...).providerHealth` or `postgresStorage(...).providerHealth`,
 * or any store with these two calls.
 */
export interface ProviderHealthStore {
  /** Upsert the row of (group, target). */
  write(row: ProviderHealthRow): Promise<void>;
  /** Rows of `group` updated after `sinceMs`. */
  readSince(group: string, sinceMs: number): Promise<ProviderHealthRow[]>;
}

export interface ShareOptions {
  readonly store: ProviderHealthStore;
  /** How often sibling transitions are read, ms (default 250, so a dead target is skipped within a second). */
  readonly pollMs?: number;
  /** This process's name in the rows; default `pid-<pid>-<random>`. */
  readonly writer?: string;
}

/** Counters of the sharing side channel; its failures never reach a call. */
export interface ShareStats {
  writes: number;
  writeErrors: number;
  reads: number;
  readErrors: number;
  /** Remote transitions applied to a local breaker. */
  adopted: number;
}

const DEFAULT_POLL_MS = 250;
// A row may land with a timestamp a little behind the newest one read (another writer's clock, the same ms):
// each read overlaps the last by this much, and re-applying a row is a no-op (see TargetBreaker.adopt).
const OVERLAP_MS = 2_000;

/**
 * Shares a group's breaker transitions with sibling processes through `options.store`. Writes are
 * fire-and-forget from the breaker's transition (never awaited by a call; failures only counted); a timer
 * reads the siblings' rows every `pollMs` and hands them to the local breakers, which decide for themselves.
 * The timer holds the group weakly and is unref'd: it neither keeps the group alive nor the process running.
 */
export function shareHealth(group: FailoverGroup, options: ShareOptions): ShareStats {
  const stats: ShareStats = { writes: 0, writeErrors: 0, reads: 0, readErrors: 0, adopted: 0 };
  const writer = options.writer ?? `pid-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  for (const t of group.targets) {
    t.breaker.onTransition = (state, untilMs, now) => {
      stats.writes += 1;
      const row = {
        group: group.name,
        target: t.name,
        state,
        untilMs,
        reason: t.breaker.lastReason,
        writer,
        updatedMs: now,
      };
      try {
        options.store.write(row).catch(() => (stats.writeErrors += 1));
      } catch {
        stats.writeErrors += 1; // a store that throws synchronously
      }
    };
  }
  const ref = new WeakRef(group);
  let since = group.now() - OVERLAP_MS;
  let busy = false;
  const timer = setInterval(() => {
    const g = ref.deref();
    if (!g) return clearInterval(timer);
    if (busy) return;
    busy = true;
    void readOnce(g, options.store, writer, since, stats)
      .then((newest) => (since = Math.max(since, newest - OVERLAP_MS)))
      .finally(() => (busy = false));
  }, options.pollMs ?? DEFAULT_POLL_MS);
  timer.unref();
  return stats;
}

/** One poll: siblings' rows since `since` applied to the local breakers; resolves with the newest row's time. */
async function readOnce(
  group: FailoverGroup,
  store: ProviderHealthStore,
  writer: string,
  since: number,
  stats: ShareStats,
): Promise<number> {
  let rows: ProviderHealthRow[];
  try {
    rows = await store.readSince(group.name, since);
    stats.reads += 1;
  } catch {
    stats.readErrors += 1;
    return since + OVERLAP_MS;
  }
  let newest = since + OVERLAP_MS;
  const now = group.now();
  for (const r of rows) {
    newest = Math.max(newest, r.updatedMs);
    if (r.writer === writer) continue;
    const target = group.targets.find((t) => t.name === r.target);
    if (target?.breaker.adopt(r.state, r.untilMs, r.reason, r.updatedMs, now)) stats.adopted += 1;
  }
  return newest;
}
