import type {
  BackoffPolicy,
  EventQuery,
  LatencyRow,
  LedgerEvent,
  Logger,
  RollupResult,
  StorageAdapter,
} from "tokenledger/storage-kit";
import {
  backoffDelay,
  DEFAULT_BACKOFF,
  parseServerUrl,
  resolveApiKey,
  StorageError,
  TokenLedgerConfigError,
} from "tokenledger/storage-kit";
import { HTTP_DEFAULTS, type HttpStorageOptions } from "./http-storage-config.js";
import { Spool, type SpoolStats } from "./spool.js";
import { defaultSpoolDir } from "./spool-dir.js";
import { UsageClient, UsageRequestError } from "./usage-client.js";

/** How long close() keeps claiming spool files to send. */
const CLOSE_REPLAY_MS = 2000;

const stderrLogger: Logger = {
  warn: (m) => process.stderr.write(`[tokenledger] warn: ${m}\n`),
  error: (m) => process.stderr.write(`[tokenledger] error: ${m}\n`),
};

export interface HttpStorageStats extends SpoolStats {
  /** Events the server answered `created` for. */
  readonly created: number;
  /** Events the server already had (a retry or a replay of a delivered batch): counted once there. */
  readonly duplicates: number;
  /** Same id stored with other content: not written, logged, never retried. */
  readonly conflicts: number;
  /** Events the server refused (400) alone, after halving their batch: dropped and logged. */
  readonly rejectedEvents: number;
}

export interface SpoolFlushResult {
  /** Spooled events delivered by this call. */
  readonly delivered: number;
  /** Bytes still in the spool directory. */
  readonly pendingBytes: number;
  /** Why delivery stopped early (server unreachable, ...), or null. */
  readonly error: string | null;
}

/**
 * Write-only storage that sends batches to a tokenledger server (`POST /api/v1/usage`). Failures are StorageErrors of
 * the usual kinds, so the tracker's queue, retry and backoff apply; in front of that, a batch the server cannot take
 * now (down, slow, rate-limiting, refusing the key) is written to a bounded local spool and resolved: it survives a
 * process exit or crash and is sent later by this or the next process. Event ids make every resend idempotent: the
 * server answers `duplicate` and counts the event once.
 */
export class HttpStorage implements StorageAdapter {
  readonly kind = "http";
  readonly #client: UsageClient;
  readonly #spool: Spool | null;
  readonly #backoff: BackoffPolicy;
  readonly #log: Logger;
  #init: Promise<void> | undefined;
  #failures = 0;
  /** While the server is known to be down, batches go straight to the spool instead of waiting on it. */
  #downUntil = 0;
  #replaying: Promise<SpoolFlushResult> | undefined;
  #replayTimer: NodeJS.Timeout | undefined;
  #closed = false;
  #created = 0;
  #duplicates = 0;
  #conflicts = 0;
  #rejected = 0;
  #authLogged = false;

  constructor(options: HttpStorageOptions) {
    const url = parseServerUrl(options.url, "httpStorage({ url })");
    const apiKey = resolveApiKey(options.apiKey, "apiKey");
    this.#log = safeLogger(options.logger === false ? undefined : (options.logger ?? stderrLogger));
    const timeoutMs = options.requestTimeoutMs ?? HTTP_DEFAULTS.requestTimeoutMs;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
      throw new TokenLedgerConfigError(`requestTimeoutMs must be a positive number of ms (got ${timeoutMs})`);
    const maxBytes = options.maxSpoolBytes ?? HTTP_DEFAULTS.maxSpoolBytes;
    if (!Number.isFinite(maxBytes) || maxBytes <= 0)
      throw new TokenLedgerConfigError(`maxSpoolBytes must be a positive number of bytes (got ${maxBytes})`);
    this.#client = new UsageClient({
      baseUrl: url.baseUrl,
      apiKey,
      timeoutMs,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    this.#spool =
      options.spool === false
        ? null
        : new Spool({
            dir: options.spoolDir ?? defaultSpoolDir(url.baseUrl),
            maxBytes,
            claim: options.unsafeReplayWithoutClaim !== true,
          });
    this.#backoff = { ...DEFAULT_BACKOFF, ...options.retry };
    if (url.insecure && !url.loopback) {
      this.#log.warn(
        `sending usage and the API key to ${url.baseUrl} over plaintext HTTP; use https:// unless a proxy on this host terminates TLS`,
      );
    }
  }

  /** Opens the spool and starts sending what earlier processes left in it. Never contacts the server itself. */
  init(): Promise<void> {
    this.#init ??= (async () => {
      if (!this.#spool) return;
      try {
        await this.#spool.open();
      } catch (err) {
        // An unwritable state directory must not stop delivery: sending works, only spooling will fail (and say so).
        this.#log.warn(
          `spool directory ${this.#spool.dir} is not usable (${(err as Error).message}); batches the server cannot take now stay in memory`,
        );
        return;
      }
      if (this.#spool.hasPending) this.#scheduleReplay(0);
    })();
    this.#init.catch(() => {
      this.#init = undefined;
    });
    return this.#init;
  }

  async insertBatch(events: readonly LedgerEvent[]): Promise<void> {
    if (events.length === 0) return;
    if (this.#spool && Date.now() < this.#downUntil) {
      // The server failed moments ago: spool now rather than make every batch wait for its timeout.
      if (await this.#spool.append(events)) return;
      throw new StorageError(
        `${this.#client.url} is unreachable and the spool cannot take more (maxSpoolBytes); events stay queued in memory`,
        "transient",
      );
    }
    try {
      await this.#deliver(events);
    } catch (err) {
      const e =
        err instanceof StorageError ? err : new StorageError(String(err), "transient", { cause: err });
      if (e.kind === "row" || !this.#spool) throw e;
      this.#onFailure(e);
      if (await this.#spool.append(events)) return;
      throw new StorageError(`${e.message}; the spool cannot take the batch (full or not writable)`, e.kind, {
        cause: err,
      });
    }
    this.#onSuccess();
  }

  /** The process `exit` hook: no time to send, so the batch goes to the spool synchronously. Never throws. */
  insertBatchSync(events: readonly LedgerEvent[]): boolean {
    return this.#spool !== null && events.length > 0 && this.#spool.appendSync(events);
  }

  /**
   * Send what is spooled now (this process's and what dead processes left). A pass already running (a background
   * retry) is waited for first, then a fresh pass runs. Never rejects.
   */
  flushSpool(options: { timeoutMs?: number } = {}): Promise<SpoolFlushResult> {
    const deadline = Date.now() + (options.timeoutMs ?? Number.POSITIVE_INFINITY);
    return (this.#replaying ?? Promise.resolve()).then(() => this.#replayOnce(() => Date.now() >= deadline));
  }

  #replayOnce(stop: () => boolean): Promise<SpoolFlushResult> {
    this.#replaying ??= this.#replay(stop).finally(() => {
      this.#replaying = undefined;
    });
    return this.#replaying;
  }

  stats(): HttpStorageStats {
    const spool = this.#spool?.stats() ?? {
      spooledEvents: 0,
      replayedEvents: 0,
      refusedEvents: 0,
      skippedLines: 0,
      pendingBytes: 0,
    };
    return {
      ...spool,
      created: this.#created,
      duplicates: this.#duplicates,
      conflicts: this.#conflicts,
      rejectedEvents: this.#rejected,
    };
  }

  rollup(): Promise<RollupResult> {
    return Promise.reject(writeOnly("rollup"));
  }

  latency(): Promise<readonly LatencyRow[]> {
    return Promise.reject(writeOnly("latency"));
  }

  // eslint-disable-next-line require-yield
  async *events(_query: EventQuery): AsyncIterable<LedgerEvent> {
    throw writeOnly("events");
  }

  /** Stops replay timers, makes one last attempt to send the spool if the server was reachable, seals the file. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#replayTimer);
    if (this.#spool) {
      await this.#replaying;
      // Bounded: an exiting process must not stay alive sending a large spool; the next start sends the rest.
      if (this.#spool.hasPending && Date.now() >= this.#downUntil)
        await this.flushSpool({ timeoutMs: CLOSE_REPLAY_MS });
      await this.#spool.close();
    }
  }

  // ---------------------------------------------------------------- internals

  async #deliver(events: readonly unknown[]): Promise<void> {
    const r = await this.#client.send(events);
    this.#created += r.created;
    this.#duplicates += r.duplicates;
    if (r.conflicts > 0) {
      this.#conflicts += r.conflicts;
      this.#log.warn(
        `${r.conflicts} event(s) were already stored on the server with different content and were not written: ${r.conflictIds.slice(0, 5).join(", ")}`,
      );
    }
  }

  /** Deliver spooled events; a batch the server refuses (400) is halved until the bad event is alone and dropped. */
  async #deliverIsolating(events: readonly unknown[]): Promise<void> {
    try {
      await this.#deliver(events);
    } catch (err) {
      if (!(err instanceof StorageError) || err.kind !== "row") throw err;
      if (events.length === 1) {
        this.#rejected++;
        const id = (events[0] as { id?: unknown } | null)?.id;
        this.#log.error(`the server refused spooled event ${String(id)}, dropped: ${err.message}`);
        return;
      }
      const half = Math.ceil(events.length / 2);
      await this.#deliverIsolating(events.slice(0, half));
      await this.#deliverIsolating(events.slice(half));
    }
  }

  async #replay(stop: () => boolean): Promise<SpoolFlushResult> {
    const spool = this.#spool;
    if (!spool) return { delivered: 0, pendingBytes: 0, error: null };
    try {
      await this.init();
      const delivered = await spool.replay((events) => this.#deliverIsolating(events), stop);
      this.#onSuccess(false);
      return { delivered, pendingBytes: spool.stats().pendingBytes, error: null };
    } catch (err) {
      this.#onFailure(err);
      return {
        delivered: 0,
        pendingBytes: spool.stats().pendingBytes,
        error: err instanceof Error ? err.message : String(err),
      };
    }
  }

  #onSuccess(replayPending = true): void {
    this.#failures = 0;
    this.#downUntil = 0;
    if (replayPending && this.#spool?.hasPending && !this.#replaying) this.#scheduleReplay(0);
  }

  #onFailure(err: unknown): void {
    this.#failures++;
    const retryAfter = err instanceof UsageRequestError ? (err.retryAfterMs ?? 0) : 0;
    const delay = Math.max(backoffDelay(this.#backoff, this.#failures), retryAfter);
    this.#downUntil = Date.now() + delay;
    if (err instanceof UsageRequestError && (err.status === 401 || err.status === 403) && !this.#authLogged) {
      this.#authLogged = true;
      this.#log.error(`${err.message}; batches are kept in the spool until the server accepts the key`);
    }
    this.#scheduleReplay(delay);
  }

  #scheduleReplay(delayMs: number): void {
    if (this.#closed || !this.#spool) return;
    clearTimeout(this.#replayTimer);
    this.#replayTimer = setTimeout(() => {
      if (this.#closed) return;
      // A background pass yields to close() after the file in hand.
      void this.#replayOnce(() => this.#closed).then((r) => {
        // More was spooled while this pass ran: go again (a failure has already scheduled its own retry).
        if (r.error === null && r.delivered > 0 && this.#spool?.hasPending) this.#scheduleReplay(0);
      });
    }, delayMs);
    this.#replayTimer.unref();
  }
}

/** A logger that can never throw into the write path. */
function safeLogger(inner: Logger | undefined): Logger {
  const call = (fn: ((m: string) => void) | undefined, m: string) => {
    try {
      fn?.call(inner, m);
    } catch {
      /* a logger must not break delivery */
    }
  };
  return { warn: (m) => call(inner?.warn, m), error: (m) => call(inner?.error, m) };
}

function writeOnly(method: string): TokenLedgerConfigError {
  return new TokenLedgerConfigError(
    `${method}(): the tokenledger server backend (https:// / tokenledger+http://) is write-only. ` +
      "Read through the server's API instead: `tokenledger report --server <url>` or GET /api/v1/costs/aggregate.",
  );
}

/** Storage that sends usage to a tokenledger server, with a local spool for what cannot be sent yet. */
export function httpStorage(options: HttpStorageOptions): HttpStorage {
  return new HttpStorage(options);
}
