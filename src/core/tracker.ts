import type { Attribution } from "./attribution.js";
import { backoffDelay, type BackoffPolicy } from "./backoff.js";
import { buildEvent, type BuildConfig } from "./event-builder.js";
import type { LedgerEvent, UsageEventInput } from "./event.js";
import { getContext } from "./context.js";
import { registerExitParticipant, unregisterExitParticipant, type ExitParticipant } from "./exit-hooks.js";
import { consoleLogger, SafeLogger, silentLogger } from "./logger.js";
import { validateTrackerOptions, type TrackerOptions } from "./options.js";
import type { DatabaseTarget } from "./database-url.js";
import { trackerConfig } from "./tracker-config.js";
import type { StorageAdapter } from "./storage.js";
import { classifyStorageError, toStorageError } from "./storage-errors.js";
import { resolveStorageOption } from "./storage-resolution.js";
import { checkRecordInput } from "./record-check.js";
import { RecordListeners, type Captures, type RecordListener } from "./record-listeners.js";

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

interface Entry {
  readonly seq: number;
  readonly input: UsageEventInput;
  readonly context: Attribution;
  readonly at: number;
  readonly weight: number;
  event?: LedgerEvent;
  firstFailureAt?: number;
  /** What record listeners captured at call time (for example the active span context). */
  readonly captures?: Captures;
  /** From `revise()`: overwrites the stored event with the same id (where the storage can). */
  readonly replace?: true;
}

interface Waiter {
  readonly target: number;
  readonly startPersisted: number;
  readonly startDropped: number;
  readonly resolve: (r: FlushResult) => void;
  timer?: NodeJS.Timeout;
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
 * Batches usage events in a bounded queue and writes them to storage in the background.
 * `record()` is synchronous, O(1), does no I/O and never throws. See the reliability notes in the README.
 */
export class TokenTracker implements AsyncDisposable {
  readonly #opts: TrackerOptions;
  readonly #log: SafeLogger;
  readonly #maxQueue: number;
  readonly #maxBatch: number;
  readonly #backoff: BackoffPolicy;
  readonly #sampleRate: number;
  readonly #build: BuildConfig;
  readonly #queue: Entry[] = [];
  readonly #waiters = new Set<Waiter>();
  readonly #storageOption: StorageAdapter | (() => Promise<StorageAdapter>) | DatabaseTarget;
  #storage: StorageAdapter | undefined;
  #storagePromise: Promise<StorageAdapter> | undefined;
  /** Every adapter this tracker obtained, opened or still opening: shutdown() closes them all. */
  readonly #adapters = new Set<StorageAdapter>();
  #seq = 0;
  #revising = false;
  #recorded = 0;
  #persisted = 0;
  #sampledOut = 0;
  #anomalies = 0;
  #flushes = 0;
  #lastFlushMs: number | null = null;
  #healthy = true;
  #attempts = 0;
  #batchCap: number;
  #backoffUntil = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  #interval: NodeJS.Timeout | undefined;
  #draining: Promise<void> | undefined;
  #drainScheduled = false;
  #overflowCount = 0;
  #waitUntilPending = false;
  #beforeExitStalled = false;
  #shutdown: Promise<FlushResult> | undefined;
  #closed = false;
  readonly #dropped: Record<DropReason, number> = Object.fromEntries(
    DROP_REASONS.map((r) => [r, 0]),
  ) as Record<DropReason, number>;
  readonly #retries = { transient: 0, backend: 0, row: 0 };
  readonly #internal: Record<string, number> = {};
  readonly #exit: ExitParticipant;
  readonly #listeners = new RecordListeners((stage, err) => this.#internalError(stage, err));

  constructor(options?: TrackerOptions) {
    this.#opts = Object.freeze({ ...validateTrackerOptions(options) });
    const o = this.#opts;
    this.#log = new SafeLogger(o.logger === false ? silentLogger : (o.logger ?? consoleLogger));
    const config = trackerConfig(o, this.#log, {
      onPricingError: (err) => this.#internalError("pricing", err),
      onAnomaly: (message) => {
        this.#anomalies++;
        this.#log.warnOnce(`anomaly:${message.slice(0, 80)}`, message, 60_000);
      },
    });
    this.#maxQueue = config.maxQueue;
    this.#maxBatch = config.maxBatch;
    this.#batchCap = config.maxBatch;
    this.#backoff = config.backoff;
    this.#sampleRate = config.sampleRate;
    this.#storageOption = config.storage;
    this.#build = config.build;
    // unref'd: the flush timer must never keep an application alive; exit hooks flush what is left.
    this.#interval = setInterval(() => this.#onTimer(), o.flushIntervalMs ?? 2000);
    this.#interval.unref();
    this.#exit = {
      handlesSignals: o.handleSignals === true,
      // handleSignals alone (autoFlushOnExit: false) registers for signals only.
      onBeforeExit: () => (o.autoFlushOnExit !== false ? this.#onBeforeExit() : undefined),
      onExit: () => (o.autoFlushOnExit !== false ? this.#onExit() : undefined),
      onSignal: () => this.flush({ timeoutMs: o.shutdownTimeoutMs ?? 5000 }).then(() => undefined),
    };
    if (o.autoFlushOnExit !== false || o.handleSignals) registerExitParticipant(this.#exit);
    // Open storage soon (not inside the constructor): an app that calls process.exit() early still finds
    // an open SQLite handle for the synchronous exit write. Failures here are retried on the first flush.
    setImmediate(() => {
      if (!this.#shutdown)
        this.storage().catch((err) =>
          this.#log.warnOnce(
            "open",
            `could not open storage yet: ${(err as Error).message}\n` +
              `Events are kept in memory meanwhile (${this.#queue.length} queued now, at most ${this.#maxQueue}) ` +
              "and retried; they are lost if the process exits before storage opens.",
            60_000,
          ),
        );
    }).unref();
  }

  /** Queue one usage event. Synchronous, O(1), no I/O, never throws. */
  record(raw: UsageEventInput): void {
    try {
      const input = checkRecordInput(raw);
      if ("reason" in input) {
        this.#recorded++;
        this.#dropped[input.reason]++;
        this.#log.warnOnce(input.reason, input.message, 60_000);
        return;
      }
      const context = input.attribution ? EMPTY_ATTRIBUTION : getContext();
      if (this.#shutdown) {
        this.#recorded++;
        this.#dropped.after_shutdown++;
        this.#safeHook("afterShutdown", () =>
          this.#opts.afterShutdown?.({ provider: input.provider, model: input.model }),
        );
        return;
      }
      if (this.#sampleRate < 1 && Math.random() >= this.#sampleRate) {
        this.#sampledOut++;
        return;
      }
      this.#recorded++;
      if (this.#queue.length >= this.#maxQueue) {
        this.#dropped.queue_full++;
        if (this.#overflowCount++ === 0) {
          this.#log.warn(
            `queue full (maxQueueSize ${this.#maxQueue}): dropping new events until storage catches up`,
          );
        }
        return;
      }
      this.#queue.push({
        seq: ++this.#seq,
        input,
        context,
        at: Date.now(),
        weight: this.#sampleRate < 1 ? 1 / this.#sampleRate : 1,
        captures: this.#listeners.capture(),
        ...(this.#revising ? { replace: true as const } : {}),
      });
      if (this.#queue.length >= this.#maxBatch) this.#scheduleDrain();
      if (this.#opts.waitUntil && !this.#waitUntilPending) this.#registerWaitUntil();
    } catch (err) {
      this.#internalError("record", err);
    }
  }

  /**
   * Like `record()`, but the event overwrites the stored event with the same `id` (one row, never two): an
   * OpenAI background response recorded as pending when created is completed when its result is seen.
   * Storage without `replaceBatch` keeps the first row. Synchronous, never throws.
   */
  revise(raw: UsageEventInput & { readonly id: string }): void {
    this.#revising = true;
    try {
      this.record(raw);
    } finally {
      this.#revising = false;
    }
  }

  /**
   * Resolve once every event recorded before this call is stored or dropped, or the timeout passes.
   * Never rejects.
   */
  flush(options: { timeoutMs?: number } = {}): Promise<FlushResult> {
    const timeoutMs = options.timeoutMs ?? this.#opts.flushTimeoutMs ?? 30_000;
    return new Promise<FlushResult>((resolve) => {
      const waiter: Waiter = {
        target: this.#seq,
        startPersisted: this.#persisted,
        startDropped: this.#droppedTotal(),
        resolve,
      };
      if (this.#isDone(waiter.target) || this.#closed) {
        resolve(this.#result(waiter, false));
        return;
      }
      this.#waiters.add(waiter);
      // Ref'd on purpose: somebody awaits this promise, so the process must live until it settles (an unref'd
      // deadline let a top-level `await tracker.flush()` exit with code 13 when storage was down).
      waiter.timer = setTimeout(() => this.#settle(waiter, true), timeoutMs);
      this.#backoffUntil = 0;
      this.#scheduleDrain();
    });
  }

  /**
   * Stop accepting events, drain within `timeoutMs`, release timers, listeners and the storage adapter.
   * Idempotent: every caller gets the same promise. Never rejects.
   */
  shutdown(options: { timeoutMs?: number } = {}): Promise<FlushResult> {
    this.#shutdown ??= this.#doShutdown(options.timeoutMs ?? this.#opts.shutdownTimeoutMs ?? 5000);
    return this.#shutdown;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown();
  }

  stats(): TrackerStats {
    return {
      recorded: this.#recorded,
      persisted: this.#persisted,
      dropped: { ...this.#dropped },
      sampledOut: this.#sampledOut,
      retries: { ...this.#retries },
      queueDepth: this.#queue.length,
      flushes: this.#flushes,
      lastFlushDurationMs: this.#lastFlushMs,
      storageHealthy: this.#healthy,
      anomalies: this.#anomalies,
      internalErrors: { ...this.#internal },
    };
  }

  /**
   * Be told about every event once it is stored (used by `tokenledger/otel`). `capture` runs inside
   * `record()` and `onStored` in the flush path; neither can throw into the host. Returns an unsubscribe function.
   */
  addRecordListener<C>(listener: RecordListener<C>): () => void {
    return this.#listeners.add(listener);
  }

  /** The storage adapter, resolved (and migrated) on first use. Rejects if it cannot be opened. */
  storage(): Promise<StorageAdapter> {
    this.#storagePromise ??= resolveStorageOption(this.#storageOption).then(async (s) => {
      this.#adapters.add(s); // closable even while init() waits on a hung server
      await s.init();
      this.#storage = s;
      return s;
    });
    this.#storagePromise.catch(() => {
      this.#storagePromise = undefined; // allow a later retry
    });
    return this.#storagePromise;
  }

  // ---------------------------------------------------------------- internals

  #scheduleDrain(): void {
    if (this.#drainScheduled || this.#draining || this.#closed) return;
    this.#drainScheduled = true;
    // Never drain inside record(): SQLite writes are synchronous and would run in the caller's path.
    setImmediate(() => {
      this.#drainScheduled = false;
      void this.#drain();
    });
  }

  #onTimer(): void {
    try {
      if (this.#queue.length > 0 && Date.now() >= this.#backoffUntil) void this.#drain();
    } catch (err) {
      this.#internalError("timer", err);
    }
  }

  #drain(): Promise<void> {
    this.#draining ??= this.#runDrain().finally(() => {
      this.#draining = undefined;
      this.#notifyWaiters();
      // Records that arrived during the drain may have filled a batch, and a flush() called while this
      // drain was finishing found it still running: either way, go again (unless backing off).
      const wanted =
        this.#queue.length >= this.#maxBatch || (this.#waiters.size > 0 && this.#queue.length > 0);
      if (wanted && Date.now() >= this.#backoffUntil) this.#scheduleDrain();
    });
    return this.#draining;
  }

  async #runDrain(): Promise<void> {
    const started = performance.now();
    let storage: StorageAdapter;
    try {
      storage = await this.storage();
    } catch (err) {
      this.#onWriteFailure(toStorageError(err, "opening storage"), this.#queue.slice(0, 1));
      return;
    }
    let wrote = false;
    while (this.#queue.length > 0) {
      const batch = this.#prepareBatch();
      if (batch.length === 0) continue;
      try {
        await this.#withTimeout(writeBatch(storage, batch));
      } catch (err) {
        const kind = classifyStorageError(err);
        if (kind === "row") {
          this.#retries.row++;
          if (batch.length > 1) {
            this.#batchCap = Math.ceil(batch.length / 2); // bisect to isolate the rejected row
          } else {
            this.#removeFront(1);
            this.#dropped.rejected++;
            this.#batchCap = this.#maxBatch;
            this.#log.error(
              `storage rejected event ${batch[0]?.event?.id}: ${toStorageError(err, "insert").message}`,
            );
          }
          this.#notifyWaiters();
          continue;
        }
        this.#onWriteFailure(toStorageError(err, "writing events"), batch);
        break;
      }
      this.#removeFront(batch.length);
      this.#persisted += batch.length;
      this.#listeners.emit(batch);
      wrote = true;
      if (!this.#healthy) this.#log.warn("storage is writable again");
      this.#healthy = true;
      this.#attempts = 0;
      if (batch.length < this.#batchCap || this.#batchCap === this.#maxBatch) this.#batchCap = this.#maxBatch;
      if (this.#queue.length < this.#maxQueue && this.#overflowCount > 0) {
        this.#log.warn(
          `dropped ${this.#overflowCount} events because maxQueueSize ${this.#maxQueue} was reached`,
        );
        this.#overflowCount = 0;
      }
      this.#notifyWaiters();
    }
    if (wrote) {
      this.#flushes++;
      this.#lastFlushMs = Math.round((performance.now() - started) * 1000) / 1000;
    }
  }

  /** Build (price, validate) the front of the queue up to the batch cap. Oversized events are dropped here. */
  #prepareBatch(): Entry[] {
    const batch: Entry[] = [];
    let i = 0;
    while (i < this.#queue.length && batch.length < this.#batchCap) {
      const entry = this.#queue[i] as Entry;
      if (!entry.event) {
        let built;
        try {
          built = buildEvent(entry.input, entry.context, entry.at, entry.weight, this.#build);
        } catch (err) {
          this.#internalError("build", err);
          this.#queue.splice(i, 1);
          this.#dropped.internal_error++;
          continue;
        }
        if (!built.ok) {
          this.#queue.splice(i, 1);
          this.#dropped.too_large++;
          this.#log.warnOnce(
            "too_large",
            `dropped an event whose metadata exceeds ${this.#build.maxMetadataBytes} bytes`,
            60_000,
          );
          continue;
        }
        entry.event = built.event;
      }
      batch.push(entry);
      i++;
    }
    return batch;
  }

  #onWriteFailure(err: Error & { kind?: string }, batch: readonly Entry[]): void {
    const kind = err.kind === "backend" ? "backend" : "transient";
    this.#retries[kind]++;
    this.#attempts++;
    if (kind === "backend" || this.#attempts >= 3) {
      if (this.#healthy) this.#log.error(`${err.message}; events stay queued and will be retried`);
      this.#healthy = false;
    }
    const now = Date.now();
    for (const e of batch) e.firstFailureAt ??= now;
    this.#expireRetries(now);
    if (this.#closed) return;
    const delay = backoffDelay(this.#backoff, this.#attempts);
    this.#backoffUntil = now + delay;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => {
      if (this.#queue.length > 0) void this.#drain();
    }, delay);
    this.#retryTimer.unref();
  }

  #expireRetries(now: number): void {
    const limit = this.#opts.maxRetryDurationMs;
    if (limit === undefined) return;
    let n = 0;
    while (n < this.#queue.length) {
      const first = this.#queue[n]?.firstFailureAt;
      if (first === undefined || now - first < limit) break;
      n++;
    }
    if (n > 0) {
      this.#removeFront(n);
      this.#dropped.retry_exhausted += n;
      this.#log.error(`dropped ${n} events after retrying for more than ${limit} ms`);
      this.#notifyWaiters();
    }
  }

  #withTimeout<T>(p: Promise<T>): Promise<T> {
    const ms = this.#opts.storageTimeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(Object.assign(new Error(`storage write timed out after ${ms} ms`), { code: "ETIMEDOUT" })),
        ms,
      );
      timer.unref();
    });
    return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
  }

  #removeFront(n: number): void {
    this.#queue.splice(0, n);
  }

  #isDone(target: number): boolean {
    const first = this.#queue[0];
    return first === undefined || first.seq > target;
  }

  #notifyWaiters(): void {
    for (const w of this.#waiters) if (this.#isDone(w.target)) this.#settle(w, false);
  }

  #settle(w: Waiter, timedOut: boolean): void {
    if (!this.#waiters.delete(w)) return;
    clearTimeout(w.timer);
    w.resolve(this.#result(w, timedOut));
  }

  #result(w: Waiter, timedOut: boolean): FlushResult {
    return {
      persisted: this.#persisted - w.startPersisted,
      dropped: this.#droppedTotal() - w.startDropped,
      pending: this.#queue.filter((e) => e.seq <= w.target).length,
      timedOut,
    };
  }

  #droppedTotal(): number {
    let n = 0;
    for (const r of DROP_REASONS) n += this.#dropped[r];
    return n;
  }

  async #doShutdown(timeoutMs: number): Promise<FlushResult> {
    const deadline = Date.now() + timeoutMs;
    const startPersisted = this.#persisted;
    const startDropped = this.#droppedTotal();
    clearInterval(this.#interval);
    unregisterExitParticipant(this.#exit);
    let timedOut = false;
    // Drain until empty, until a pass makes no progress, or until the deadline.
    while (this.#queue.length > 0) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        timedOut = true;
        break;
      }
      const before = this.#queue.length;
      const r = await this.flush({ timeoutMs: remaining });
      if (r.timedOut) {
        timedOut = true;
        break;
      }
      if (this.#queue.length >= before) break;
    }
    // From here on nothing new starts: no drain, no retry timer (a late failure of an in-flight write must not
    // re-arm one), and flush() answers at once.
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    for (const w of [...this.#waiters]) this.#settle(w, true);
    const pending = this.#queue.length;
    if (pending > 0) this.#log.warn(`shutdown left ${pending} events unsaved`);
    // Close what we opened, including an adapter still being opened, but never wait past the deadline.
    const closing = (async () => {
      if (this.#adapters.size === 0) await this.#storagePromise?.catch(() => undefined);
      await Promise.all([...this.#adapters].map((a) => a.close()));
    })().catch((err: unknown) => this.#internalError("close", err));
    if (!(await settlesWithin(closing, Math.max(0, deadline - Date.now())))) {
      timedOut = true;
      this.#log.warn("storage did not close before the shutdown deadline; continuing without waiting");
    }
    return {
      persisted: this.#persisted - startPersisted,
      dropped: this.#droppedTotal() - startDropped,
      pending,
      timedOut,
    };
  }

  #onBeforeExit(): void {
    // Only start work when there is work, and stop retrying once an exit-time drain made no progress,
    // so an unreachable store can never keep the process alive in a loop.
    if (this.#queue.length === 0 || this.#draining || this.#beforeExitStalled) return;
    const before = this.#persisted;
    void this.#drain().then(() => {
      if (this.#persisted === before) this.#beforeExitStalled = true;
    });
  }

  #onExit(): void {
    try {
      const storage = this.#storage;
      if (!storage?.insertBatchSync || this.#queue.length === 0) return;
      this.#batchCap = this.#maxQueue;
      const batch = this.#prepareBatch();
      if (batch.length > 0 && storage.insertBatchSync(batch.map((e) => e.event as LedgerEvent))) {
        this.#removeFront(batch.length);
        this.#persisted += batch.length;
      }
    } catch (err) {
      this.#internalError("exit", err);
    }
  }

  #registerWaitUntil(): void {
    this.#waitUntilPending = true;
    const settled = new Promise<void>((resolve) => setTimeout(resolve, 50))
      .then(() => this.flush())
      .then(() => undefined)
      .finally(() => {
        this.#waitUntilPending = false;
      });
    this.#safeHook("waitUntil", () => this.#opts.waitUntil?.(settled));
  }

  #safeHook(stage: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#internalError(stage, err);
    }
  }

  #internalError(stage: string, err: unknown): void {
    try {
      this.#internal[stage] = (this.#internal[stage] ?? 0) + 1;
      this.#log.warnOnce(
        `internal:${stage}`,
        `internal error in ${stage}: ${String((err as Error)?.message ?? err)}`,
        60_000,
      );
      this.#opts.onError?.(err, stage);
    } catch {
      /* never let reporting an error throw */
    }
  }

  /** @internal Counts an internal failure in an interceptor or hook; used by the instrumentation layer. */
  reportInternalError(stage: string, err: unknown): void {
    this.#internalError(stage, err);
  }

  /** @internal Counts a provider oddity that did not stop recording. */
  reportAnomaly(message: string): void {
    this.#build.onAnomaly(message);
  }
}

const EMPTY_ATTRIBUTION: Attribution = Object.freeze({});

/** True when `p` settles within `ms`; never rejects. The timer is ref'd: shutdown() awaits it. */
/** Plain events are idempotent inserts; revisions (`revise()`) then overwrite their stored row by id. */
async function writeBatch(storage: StorageAdapter, batch: readonly Entry[]): Promise<void> {
  const replace = storage.replaceBatch ? batch.filter((e) => e.replace) : [];
  const insert = replace.length > 0 ? batch.filter((e) => !e.replace) : batch;
  if (insert.length > 0) await storage.insertBatch(insert.map((e) => e.event as LedgerEvent));
  if (replace.length > 0) await storage.replaceBatch!(replace.map((e) => e.event as LedgerEvent));
}

function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  return Promise.race([p.then(() => true), timeout]).finally(() => clearTimeout(timer));
}
