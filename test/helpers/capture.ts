import type { LedgerEvent, StorageAdapter, TrackerOptions } from "tokenledger";
import { TokenTracker } from "tokenledger";

/** A StorageAdapter that keeps inserted events in an array (idempotent by id, like the real ones). */
export class CaptureStorage implements StorageAdapter {
  readonly kind = "capture";
  readonly stored: LedgerEvent[] = [];
  readonly #ids = new Set<string>();
  async init(): Promise<void> {}
  async insertBatch(events: readonly LedgerEvent[]): Promise<void> {
    for (const e of events) {
      if (this.#ids.has(e.id)) continue;
      this.#ids.add(e.id);
      this.stored.push(e);
    }
  }
  /** Overwrite by id in place (the order of first insertion is kept). */
  async replaceBatch(events: readonly LedgerEvent[]): Promise<void> {
    for (const e of events) {
      const at = this.stored.findIndex((s) => s.id === e.id);
      if (at >= 0) this.stored[at] = e;
      else await this.insertBatch([e]);
    }
  }
  rollup(): never {
    throw new Error("CaptureStorage does not aggregate");
  }
  latency(): never {
    throw new Error("CaptureStorage does not aggregate");
  }
  events(): AsyncIterable<LedgerEvent> {
    const list = this.stored;
    return (async function* () {
      yield* list;
    })();
  }
  async close(): Promise<void> {}
}

/** A tracker writing to a CaptureStorage; `flushed()` returns every event recorded so far. */
export function captureTracker(options: TrackerOptions = {}): {
  tracker: TokenTracker;
  storage: CaptureStorage;
  flushed: () => Promise<LedgerEvent[]>;
} {
  const storage = new CaptureStorage();
  const tracker = new TokenTracker({ logger: false, autoFlushOnExit: false, ...options, storage });
  return {
    tracker,
    storage,
    flushed: async () => {
      await tracker.flush({ timeoutMs: 5000 });
      return storage.stored;
    },
  };
}
