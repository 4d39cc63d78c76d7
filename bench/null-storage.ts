// A storage that keeps nothing, so a benchmark times the tracker and not a database.
import type { LedgerEvent, StorageAdapter } from "tokenledger";

export class NullStorage implements StorageAdapter {
  readonly kind = "null";
  async init(): Promise<void> {}
  async insertBatch(_events: readonly LedgerEvent[]): Promise<void> {}
  rollup(): never {
    throw new Error("n/a");
  }
  latency(): never {
    throw new Error("n/a");
  }
  async *events(): AsyncIterable<LedgerEvent> {}
  async close(): Promise<void> {}
}
