import type { Batcher } from "./batcher.js";
import type { EventQueue } from "./event-queue.js";
import { registerExitParticipant, unregisterExitParticipant, type ExitParticipant } from "./exit-hooks.js";
import type { FlushWaiters } from "./flush-waiters.js";
import type { SafeLogger } from "./logger.js";
import type { TrackerStorage } from "./tracker-storage.js";
import type { FlushResult, TrackerCounters } from "./tracker-stats.js";

/** The tracker parts that starting, exiting and shutting down touch. */
export interface LifecycleParts {
  readonly queue: EventQueue;
  readonly counters: TrackerCounters;
  readonly batcher: Batcher;
  readonly waiters: FlushWaiters;
  readonly storage: TrackerStorage;
  readonly log: SafeLogger;
  readonly internalError: (stage: string, err: unknown) => void;
}

export interface LifecycleOptions {
  readonly autoFlushOnExit: boolean;
  readonly handleSignals: boolean;
  readonly shutdownTimeoutMs: number;
}

/**
 * Start, process exit and shutdown of one tracker. The order of shutdown matters: stop the timer and
 * the exit hooks, drain within the deadline, then close the batcher (so no late retry re-arms a timer),
 * settle waiting flushes, and close storage last, never waiting past the deadline.
 */
export class TrackerLifecycle {
  readonly #p: LifecycleParts;
  readonly #exit: ExitParticipant;
  #shutdown: Promise<FlushResult> | undefined;
  /** An exit-time drain made no progress: stop, or an unreachable store would keep the process alive. */
  #beforeExitStalled = false;

  constructor(parts: LifecycleParts, o: LifecycleOptions) {
    this.#p = parts;
    this.#exit = {
      handlesSignals: o.handleSignals,
      // handleSignals alone (autoFlushOnExit: false) registers for signals only.
      onBeforeExit: () => (o.autoFlushOnExit ? this.#onBeforeExit() : undefined),
      onExit: () => (o.autoFlushOnExit ? this.#onExit() : undefined),
      // Flush only: the exit hooks re-raise the signal afterwards when the app has no handler of its own.
      onSignal: () => parts.batcher.flush(o.shutdownTimeoutMs).then(() => undefined),
    };
    if (o.autoFlushOnExit || o.handleSignals) registerExitParticipant(this.#exit);
  }

  get shuttingDown(): boolean {
    return this.#shutdown !== undefined;
  }

  /**
   * Open storage soon, not inside the constructor: an app that calls process.exit() early still finds an
   * open SQLite handle for the synchronous exit write. A failure here is retried by the first drain.
   */
  openSoon(): void {
    const { storage, queue, log } = this.#p;
    // unref'd: opening early must not by itself keep a short script alive.
    setImmediate(() => {
      if (this.#shutdown) return;
      storage
        .get()
        .catch((err: unknown) =>
          log.warnOnce(
            "open",
            `could not open storage yet: ${(err as Error).message}\n` +
              `Events are kept in memory meanwhile (${queue.length} queued now, at most ${queue.max}) ` +
              "and retried; they are lost if the process exits before storage opens.",
            60_000,
          ),
        );
    }).unref();
  }

  /** Idempotent: every caller gets the same promise. Never rejects. */
  shutdown(timeoutMs: number): Promise<FlushResult> {
    this.#shutdown ??= this.#run(timeoutMs);
    return this.#shutdown;
  }

  async #run(timeoutMs: number): Promise<FlushResult> {
    const { counters, batcher, queue } = this.#p;
    const deadline = Date.now() + timeoutMs;
    // Counters are cumulative over the tracker's life; the result reports what this shutdown did.
    const startPersisted = counters.persisted;
    const startDropped = counters.droppedTotal();
    batcher.stopTimer();
    unregisterExitParticipant(this.#exit);
    let timedOut = await this.#drainUntil(deadline);
    batcher.close();
    this.#p.waiters.settleAll();
    const pending = queue.length;
    if (pending > 0) this.#p.log.warn(`shutdown left ${pending} events unsaved`);
    if (!(await this.#closeStorageBy(deadline))) timedOut = true;
    return {
      persisted: counters.persisted - startPersisted,
      dropped: counters.droppedTotal() - startDropped,
      pending,
      timedOut,
    };
  }

  /** Drain until empty, until a pass makes no progress, or until the deadline. True when it timed out. */
  async #drainUntil(deadline: number): Promise<boolean> {
    const { queue, batcher } = this.#p;
    while (queue.length > 0) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) return true;
      const before = queue.length;
      const r = await batcher.flush(remaining);
      if (r.timedOut) return true;
      // No progress (store down): another pass would only spin until the deadline.
      if (queue.length >= before) break;
    }
    return false;
  }

  /** Close storage but never wait past the deadline (a hung pool must not hang the host's exit). */
  async #closeStorageBy(deadline: number): Promise<boolean> {
    const closing = this.#p.storage.close().catch((err: unknown) => this.#p.internalError("close", err));
    const closed = await settlesWithin(closing, Math.max(0, deadline - Date.now()));
    if (!closed)
      this.#p.log.warn("storage did not close before the shutdown deadline; continuing without waiting");
    return closed;
  }

  #onBeforeExit(): void {
    // Only start work when there is work, and stop retrying once an exit-time drain made no progress,
    // so an unreachable store can never keep the process alive in a loop.
    const { queue, batcher, counters } = this.#p;
    if (queue.length === 0 || batcher.draining || this.#beforeExitStalled) return;
    const before = counters.persisted;
    void batcher.drain().then(() => {
      if (counters.persisted === before) this.#beforeExitStalled = true;
    });
  }

  #onExit(): void {
    // 'exit' handlers cannot await: only a synchronous write (an open SQLite handle) saves the queue now.
    // Async stores get their chance in beforeExit and shutdown().
    try {
      const storage = this.#p.storage.current;
      if (storage) this.#p.batcher.writeAllSync(storage);
    } catch (err) {
      this.#p.internalError("exit", err);
    }
  }
}

/** True when `p` settles within `ms`; never rejects. The timer is ref'd: shutdown() awaits it. */
function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  return Promise.race([p.then(() => true), timeout]).finally(() => clearTimeout(timer));
}
