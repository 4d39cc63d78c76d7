import type { Attribution } from "./attribution.js";
import { Batcher } from "./batcher.js";
import type { UsageEventInput } from "./event.js";
import { EventQueue } from "./event-queue.js";
import { FlushWaiters } from "./flush-waiters.js";
import { getContext } from "./context.js";
import { consoleLogger, SafeLogger, silentLogger } from "./logger.js";
import { validateTrackerOptions, type TrackerOptions } from "./options.js";
import { trackerConfig } from "./tracker-config.js";
import type { StorageAdapter } from "./storage.js";
import { checkRecordInput } from "./record-check.js";
import { RecordListeners, type RecordListener } from "./record-listeners.js";
import { TrackerLifecycle } from "./tracker-lifecycle.js";
import { TrackerStorage } from "./tracker-storage.js";
import { TrackerCounters, type FlushResult, type TrackerStats } from "./tracker-stats.js";

export type { DropReason, FlushResult, TrackerStats } from "./tracker-stats.js";

/**
 * Batches usage events in a bounded queue and writes them to storage in the background.
 * `record()` is synchronous, O(1), does no I/O and never throws. See the reliability notes in the README.
 *
 * This class is the facade; the work is done by its parts: `EventQueue` (bounded queue, drop-newest),
 * `Batcher` (timer, batching, retries), `FlushWaiters` (`flush()` promises), `TrackerLifecycle` (exit hooks,
 * shutdown) and `TrackerStorage` (opening and closing the adapter). They share one `TrackerCounters`.
 */
export class TokenTracker implements AsyncDisposable {
  readonly #opts: TrackerOptions;
  readonly #log: SafeLogger;
  readonly #sampleRate: number;
  readonly #counters = new TrackerCounters();
  readonly #queue: EventQueue;
  readonly #storage: TrackerStorage;
  readonly #batcher: Batcher;
  readonly #lifecycle: TrackerLifecycle;
  readonly #listeners = new RecordListeners((stage, err) => this.#internalError(stage, err));
  readonly #onAnomaly: (message: string) => void;
  /** Set only during `revise()`'s synchronous `record()` call, so its entry is marked for replacement. */
  #revising = false;
  #waitUntilPending = false;

  constructor(options?: TrackerOptions) {
    this.#opts = Object.freeze({ ...validateTrackerOptions(options) });
    const o = this.#opts;
    this.#log = new SafeLogger(o.logger === false ? silentLogger : (o.logger ?? consoleLogger));
    const config = trackerConfig(o, this.#log, {
      onPricingError: (err) => this.#internalError("pricing", err),
      onAnomaly: (message) => {
        this.#counters.anomalies++;
        this.#log.warnOnce(`anomaly:${message.slice(0, 80)}`, message, 60_000);
      },
    });
    this.#onAnomaly = config.build.onAnomaly;
    this.#sampleRate = config.sampleRate;
    this.#queue = new EventQueue(config.maxQueue);
    this.#storage = new TrackerStorage(config.storage, config.closeStorage);
    const internalError = (stage: string, err: unknown): void => this.#internalError(stage, err);
    const waiters = new FlushWaiters(this.#queue, this.#counters);
    const shared = { queue: this.#queue, counters: this.#counters, waiters, log: this.#log, internalError };
    this.#batcher = new Batcher({
      ...shared,
      build: config.build,
      maxBatch: config.maxBatch,
      backoff: config.backoff,
      flushIntervalMs: o.flushIntervalMs ?? 2000,
      storageTimeoutMs: o.storageTimeoutMs ?? 10_000,
      maxRetryDurationMs: o.maxRetryDurationMs,
      storage: () => this.#storage.get(),
      onStored: (batch) => this.#listeners.emit(batch),
    });
    this.#lifecycle = new TrackerLifecycle(
      { ...shared, batcher: this.#batcher, storage: this.#storage },
      {
        autoFlushOnExit: o.autoFlushOnExit !== false,
        handleSignals: o.handleSignals === true,
        shutdownTimeoutMs: o.shutdownTimeoutMs ?? 5000,
      },
    );
    this.#lifecycle.openSoon();
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

  /** Queue one usage event. Synchronous, O(1), no I/O, never throws. */
  record(raw: UsageEventInput): void {
    try {
      const input = checkRecordInput(raw);
      const c = this.#counters;
      if ("reason" in input) {
        c.recorded++;
        c.dropped[input.reason]++;
        this.#log.warnOnce(input.reason, input.message, 60_000);
        return;
      }
      // An input that carries its own attribution (captured earlier, for example when a stream started)
      // uses it instead of the ambient context, so the context lookup is skipped.
      const context = input.attribution ? EMPTY_ATTRIBUTION : getContext();
      if (this.#lifecycle.shuttingDown) {
        c.recorded++;
        c.dropped.after_shutdown++;
        this.#safeHook("afterShutdown", () =>
          this.#opts.afterShutdown?.({ provider: input.provider, model: input.model }),
        );
        return;
      }
      // Sampled-out calls are not "recorded": the kept ones carry weight 1/sampleRate instead.
      if (this.#sampleRate < 1 && Math.random() >= this.#sampleRate) {
        c.sampledOut++;
        return;
      }
      c.recorded++;
      this.#enqueue(input, context);
    } catch (err) {
      this.#internalError("record", err);
    }
  }

  /**
   * Resolve once every event recorded before this call is stored or dropped, or the timeout passes.
   * Never rejects.
   */
  flush(options: { timeoutMs?: number } = {}): Promise<FlushResult> {
    return this.#batcher.flush(options.timeoutMs ?? this.#opts.flushTimeoutMs ?? 30_000);
  }

  /**
   * Stop accepting events, drain within `timeoutMs`, release timers, listeners and the storage adapter
   * (unless `closeStorage: false`). Idempotent: every caller gets the same promise. Never rejects.
   */
  shutdown(options: { timeoutMs?: number } = {}): Promise<FlushResult> {
    return this.#lifecycle.shutdown(options.timeoutMs ?? this.#opts.shutdownTimeoutMs ?? 5000);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown();
  }

  stats(): TrackerStats {
    return this.#counters.snapshot(this.#queue.length);
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
    return this.#storage.get();
  }

  /** @internal Counts an internal failure in an interceptor or hook; used by the instrumentation layer. */
  reportInternalError(stage: string, err: unknown): void {
    this.#internalError(stage, err);
  }

  /** @internal Counts a provider oddity that did not stop recording. */
  reportAnomaly(message: string): void {
    this.#onAnomaly(message);
  }

  #enqueue(input: UsageEventInput, context: Attribution): void {
    const queue = this.#queue;
    if (queue.full) {
      this.#counters.dropped.queue_full++;
      if (queue.refuse())
        this.#log.warn(
          `queue full (maxQueueSize ${queue.max}): dropping new events until storage catches up`,
        );
      return;
    }
    queue.push({
      seq: queue.nextSeq(),
      input,
      context,
      at: Date.now(),
      weight: this.#sampleRate < 1 ? 1 / this.#sampleRate : 1,
      captures: this.#listeners.capture(),
      replace: this.#revising,
    });
    if (queue.length >= this.#batcher.maxBatch) this.#batcher.scheduleDrain();
    if (this.#opts.waitUntil && !this.#waitUntilPending) this.#registerWaitUntil();
  }

  /** Serverless: give the platform one promise per burst (50 ms), not one per call. */
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

  /** Host callbacks (afterShutdown, waitUntil) run on our path: a throw is counted, never propagated. */
  #safeHook(stage: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#internalError(stage, err);
    }
  }

  #internalError(stage: string, err: unknown): void {
    try {
      this.#counters.internal[stage] = (this.#counters.internal[stage] ?? 0) + 1;
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
}

const EMPTY_ATTRIBUTION: Attribution = Object.freeze({});
