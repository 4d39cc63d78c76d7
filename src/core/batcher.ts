import { backoffDelay, type BackoffPolicy } from "./backoff.js";
import { buildEvent, type BuildConfig } from "./event-builder.js";
import type { LedgerEvent } from "./event.js";
import type { Entry, EventQueue } from "./event-queue.js";
import type { FlushWaiters } from "./flush-waiters.js";
import type { SafeLogger } from "./logger.js";
import type { StorageAdapter } from "./storage.js";
import { classifyStorageError, toStorageError } from "./storage-errors.js";
import type { FlushResult, TrackerCounters } from "./tracker-stats.js";

/** What the batcher needs from the tracker that owns it. */
export interface BatcherParts {
  readonly queue: EventQueue;
  readonly counters: TrackerCounters;
  readonly waiters: FlushWaiters;
  readonly log: SafeLogger;
  readonly build: BuildConfig;
  readonly maxBatch: number;
  readonly backoff: BackoffPolicy;
  readonly flushIntervalMs: number;
  readonly storageTimeoutMs: number;
  readonly maxRetryDurationMs: number | undefined;
  /** The storage adapter, opened (and migrated) on first use; rejects while it cannot be opened. */
  readonly storage: () => Promise<StorageAdapter>;
  /** Called with each stored batch (record listeners). */
  readonly onStored: (batch: readonly Entry[]) => void;
  readonly internalError: (stage: string, err: unknown) => void;
}

/**
 * Moves queued events to storage in batches, in the background: on a timer, when a batch fills, and on
 * `flush()`. At most one drain runs at a time, so writes reach storage in recording order. Failed writes
 * back off (exponential, jittered); a row the storage rejects is isolated by halving the batch until
 * only that row fails, so one bad row never blocks the others.
 */
export class Batcher {
  readonly #p: BatcherParts;
  /** Current batch size: maxBatch, or smaller while bisecting a rejected row. */
  #batchCap: number;
  #attempts = 0;
  #backoffUntil = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  readonly #interval: NodeJS.Timeout;
  #draining: Promise<void> | undefined;
  #drainScheduled = false;
  #closed = false;

  constructor(parts: BatcherParts) {
    this.#p = parts;
    this.#batchCap = parts.maxBatch;
    // unref'd: the flush timer must never keep an application alive; exit hooks flush what is left.
    this.#interval = setInterval(() => this.#onTimer(), parts.flushIntervalMs);
    this.#interval.unref();
  }

  get maxBatch(): number {
    return this.#p.maxBatch;
  }

  get draining(): boolean {
    return this.#draining !== undefined;
  }

  /** After close() nothing new starts: no drain, no retry timer, and flush() answers at once. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Resolve once everything recorded so far is stored or dropped, or after `timeoutMs`. Never rejects. */
  flush(timeoutMs: number): Promise<FlushResult> {
    const { promise, settled } = this.#p.waiters.wait(timeoutMs, this.#closed);
    if (!settled) {
      // Somebody is waiting: skip the rest of a backoff and try now.
      this.#backoffUntil = 0;
      this.scheduleDrain();
    }
    return promise;
  }

  scheduleDrain(): void {
    if (this.#drainScheduled || this.#draining || this.#closed) return;
    this.#drainScheduled = true;
    // Never drain inside record(): SQLite writes are synchronous and would run in the caller's path.
    setImmediate(() => {
      this.#drainScheduled = false;
      void this.drain();
    });
  }

  /** Start a drain, or join the one running. */
  drain(): Promise<void> {
    this.#draining ??= this.#runDrain().finally(() => {
      this.#draining = undefined;
      this.#p.waiters.notify();
      // Records that arrived during the drain may have filled a batch, and a flush() called while this
      // drain was finishing found it still running: either way, go again (unless backing off).
      const q = this.#p.queue;
      const wanted = q.length >= this.#p.maxBatch || (this.#p.waiters.size > 0 && q.length > 0);
      if (wanted && Date.now() >= this.#backoffUntil) this.scheduleDrain();
    });
    return this.#draining;
  }

  /** Shutdown, first step: the periodic timer stops; flush() and drains still work. */
  stopTimer(): void {
    clearInterval(this.#interval);
  }

  /**
   * Shutdown, last step. A write still in flight may fail afterwards: it must not re-arm a retry timer
   * that would keep the process alive after shutdown() returned.
   */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
  }

  /**
   * `process.exit()` path: write the whole queue in one synchronous call (SQLite only; other adapters have
   * no `insertBatchSync`). Nothing async can run any more, so there is no retry.
   */
  writeAllSync(storage: StorageAdapter): void {
    const { queue, counters } = this.#p;
    if (!storage.insertBatchSync || queue.length === 0) return;
    // One batch as large as the queue: there is no later turn for a second one.
    this.#batchCap = queue.max;
    const batch = this.#prepareBatch();
    if (batch.length > 0 && storage.insertBatchSync(batch.map((e) => e.event as LedgerEvent))) {
      queue.removeFront(batch.length);
      counters.persisted += batch.length;
    }
  }

  #onTimer(): void {
    try {
      if (this.#p.queue.length > 0 && Date.now() >= this.#backoffUntil) void this.drain();
    } catch (err) {
      this.#p.internalError("timer", err);
    }
  }

  async #runDrain(): Promise<void> {
    const { queue, counters } = this.#p;
    const started = performance.now();
    let storage: StorageAdapter;
    try {
      storage = await this.#p.storage();
    } catch (err) {
      // Only the front entry starts its retry clock: nothing else was attempted.
      const front = queue.at(0);
      this.#onWriteFailure(toStorageError(err, "opening storage"), front ? [front] : []);
      return;
    }
    let wrote = false;
    while (queue.length > 0) {
      const batch = this.#prepareBatch();
      if (batch.length === 0) continue;
      try {
        await this.#withTimeout(writeBatch(storage, batch));
      } catch (err) {
        if (classifyStorageError(err) === "row") {
          this.#onRowRejected(batch, err);
          continue;
        }
        this.#onWriteFailure(toStorageError(err, "writing events"), batch);
        break;
      }
      this.#onStored(batch);
      wrote = true;
    }
    if (wrote) {
      counters.flushes++;
      counters.lastFlushMs = Math.round((performance.now() - started) * 1000) / 1000;
    }
  }

  #onStored(batch: readonly Entry[]): void {
    const { queue, counters, log } = this.#p;
    queue.removeFront(batch.length);
    counters.persisted += batch.length;
    this.#p.onStored(batch);
    if (!counters.healthy) log.warn("storage is writable again");
    counters.healthy = true;
    this.#attempts = 0;
    // A full-size success ends a bisection; while bisecting, keep the smaller cap until past the bad row.
    if (batch.length < this.#batchCap || this.#batchCap === this.#p.maxBatch)
      this.#batchCap = this.#p.maxBatch;
    const refused = queue.takeOverflow();
    if (refused > 0) log.warn(`dropped ${refused} events because maxQueueSize ${queue.max} was reached`);
    this.#p.waiters.notify();
  }

  /** The storage refused a row (constraint, bad value): halve the batch until the culprit stands alone, drop it. */
  #onRowRejected(batch: readonly Entry[], err: unknown): void {
    const { queue, counters } = this.#p;
    counters.retries.row++;
    if (batch.length > 1) {
      this.#batchCap = Math.ceil(batch.length / 2);
    } else {
      queue.removeFront(1);
      counters.dropped.rejected++;
      this.#batchCap = this.#p.maxBatch;
      this.#p.log.error(
        `storage rejected event ${batch[0]?.event?.id}: ${toStorageError(err, "insert").message}`,
      );
    }
    this.#p.waiters.notify();
  }

  /** Build (price, validate) the front of the queue up to the batch cap. Oversized events are dropped here. */
  #prepareBatch(): Entry[] {
    const { queue, counters, build } = this.#p;
    const batch: Entry[] = [];
    let i = 0;
    while (i < queue.length && batch.length < this.#batchCap) {
      const entry = queue.at(i) as Entry;
      // Built lazily, here, not in record(): pricing and redaction stay off the caller's path, and an entry
      // built on an earlier (failed) attempt is not built, or priced, twice.
      if (!entry.event) {
        let built;
        try {
          built = buildEvent(entry.input, entry.context, entry.at, entry.weight, build);
        } catch (err) {
          this.#p.internalError("build", err);
          queue.removeAt(i);
          counters.dropped.internal_error++;
          continue;
        }
        if (!built.ok) {
          queue.removeAt(i);
          counters.dropped.too_large++;
          this.#p.log.warnOnce(
            "too_large",
            `dropped an event whose metadata exceeds ${build.maxMetadataBytes} bytes`,
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

  /**
   * The whole write failed (storage down, timeout, backend error): keep the events queued and back off.
   * Storage is reported unhealthy at once for a backend error, after three tries for a transient one,
   * so a single network blip does not log an error.
   */
  #onWriteFailure(err: Error & { kind?: string }, batch: readonly Entry[]): void {
    const { counters } = this.#p;
    const kind = err.kind === "backend" ? "backend" : "transient";
    counters.retries[kind]++;
    this.#attempts++;
    if (kind === "backend" || this.#attempts >= 3) {
      if (counters.healthy) this.#p.log.error(`${err.message}; events stay queued and will be retried`);
      counters.healthy = false;
    }
    const now = Date.now();
    for (const e of batch) e.firstFailureAt ??= now;
    this.#expireRetries(now);
    // After shutdown nothing may re-arm a timer; the events stay counted as pending.
    if (this.#closed) return;
    const delay = backoffDelay(this.#p.backoff, this.#attempts);
    this.#backoffUntil = now + delay;
    clearTimeout(this.#retryTimer);
    // unref'd like the flush timer: a retry alone never keeps the process alive (a flush() waiter does).
    this.#retryTimer = setTimeout(() => {
      if (this.#p.queue.length > 0) void this.drain();
    }, delay);
    this.#retryTimer.unref();
  }

  /** Drop, from the front, entries that have been failing for longer than `maxRetryDurationMs`. */
  #expireRetries(now: number): void {
    const { queue, counters } = this.#p;
    const limit = this.#p.maxRetryDurationMs;
    if (limit === undefined) return;
    // From the front only: the queue keeps recording order, and later entries failed no earlier than these.
    let n = 0;
    while (n < queue.length) {
      const first = queue.at(n)?.firstFailureAt;
      if (first === undefined || now - first < limit) break;
      n++;
    }
    if (n > 0) {
      queue.removeFront(n);
      counters.dropped.retry_exhausted += n;
      this.#p.log.error(`dropped ${n} events after retrying for more than ${limit} ms`);
      this.#p.waiters.notify();
    }
  }

  /** A hung write counts as a failed one (and is retried), instead of stalling every later flush. */
  #withTimeout<T>(p: Promise<T>): Promise<T> {
    const ms = this.#p.storageTimeoutMs;
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
}

/** Plain events are idempotent inserts; revisions (`revise()`) then overwrite their stored row by id. */
async function writeBatch(storage: StorageAdapter, batch: readonly Entry[]): Promise<void> {
  // An adapter without replaceBatch gets revisions as plain inserts (it keeps the first version).
  const replace = storage.replaceBatch ? batch.filter((e) => e.replace) : [];
  const insert = replace.length > 0 ? batch.filter((e) => !e.replace) : batch;
  if (insert.length > 0) await storage.insertBatch(insert.map((e) => e.event as LedgerEvent));
  if (replace.length > 0) await storage.replaceBatch!(replace.map((e) => e.event as LedgerEvent));
}
