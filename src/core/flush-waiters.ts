import type { EventQueue } from "./event-queue.js";
import type { FlushResult, TrackerCounters } from "./tracker-stats.js";

interface Waiter {
  readonly target: number;
  readonly startPersisted: number;
  readonly startDropped: number;
  readonly resolve: (r: FlushResult) => void;
  timer?: NodeJS.Timeout;
}

/**
 * Pending `flush()` calls. Each waits for the entries recorded before it (by seq), not for an empty queue,
 * so a busy app that keeps recording cannot starve a flush. Every waiter settles exactly once, never rejects.
 */
export class FlushWaiters {
  readonly #waiters = new Set<Waiter>();
  readonly #queue: EventQueue;
  readonly #counters: TrackerCounters;

  constructor(queue: EventQueue, counters: TrackerCounters) {
    this.#queue = queue;
    this.#counters = counters;
  }

  get size(): number {
    return this.#waiters.size;
  }

  /** A promise for everything recorded so far; resolves at once when already done or when `closed`. */
  wait(timeoutMs: number, closed: boolean): { promise: Promise<FlushResult>; settled: boolean } {
    let settled = false;
    const promise = new Promise<FlushResult>((resolve) => {
      const waiter: Waiter = {
        target: this.#queue.lastSeq,
        startPersisted: this.#counters.persisted,
        startDropped: this.#counters.droppedTotal(),
        resolve,
      };
      if (this.#queue.isDone(waiter.target) || closed) {
        settled = true;
        resolve(this.#result(waiter, false));
        return;
      }
      this.#waiters.add(waiter);
      // Ref'd on purpose: somebody awaits this promise, so the process must live until it settles (an unref'd
      // deadline let a top-level `await tracker.flush()` exit with code 13 when storage was down).
      waiter.timer = setTimeout(() => this.#settle(waiter, true), timeoutMs);
    });
    return { promise, settled };
  }

  /** Settle every waiter whose entries are all stored or dropped. Called after each write or drop. */
  notify(): void {
    for (const w of this.#waiters) if (this.#queue.isDone(w.target)) this.#settle(w, false);
  }

  /** Shutdown: settle everybody still waiting as timed out. */
  settleAll(): void {
    for (const w of [...this.#waiters]) this.#settle(w, true);
  }

  #settle(w: Waiter, timedOut: boolean): void {
    if (!this.#waiters.delete(w)) return;
    clearTimeout(w.timer);
    w.resolve(this.#result(w, timedOut));
  }

  #result(w: Waiter, timedOut: boolean): FlushResult {
    return {
      persisted: this.#counters.persisted - w.startPersisted,
      dropped: this.#counters.droppedTotal() - w.startDropped,
      pending: this.#queue.pendingUpTo(w.target),
      timedOut,
    };
  }
}
