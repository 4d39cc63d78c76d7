import { TokenLedgerConfigError } from "../../src/core/errors.js";
import type { LedgerEvent } from "../../src/core/event.js";
import type {
  EventQuery,
  LatencyQuery,
  LatencyRow,
  RollupQuery,
  RollupResult,
} from "../../src/core/query.js";
import type { StorageAdapter } from "../../src/core/storage.js";
import { toStorageError } from "../../src/core/storage-errors.js";

/**
 * What every adapter builds on (kysely's `DialectAdapterBase` idea): extend this rather than implementing
 * `StorageAdapter` from scratch, so a member added to the port later can arrive here with a default instead of
 * breaking third-party adapters.
 */
export abstract class StorageAdapterBase implements StorageAdapter {
  abstract readonly kind: string;
  abstract init(): Promise<void>;
  abstract insertBatch(events: readonly LedgerEvent[]): Promise<void>;
  abstract rollup(query: RollupQuery): Promise<RollupResult>;
  abstract latency(query: LatencyQuery): Promise<readonly LatencyRow[]>;
  abstract events(query: EventQuery): AsyncIterable<LedgerEvent>;
  abstract close(): Promise<void>;

  /**
   * Runs one backend read. A bad query is the caller's mistake and passes through as the config error naming the
   * option; anything else becomes a `StorageError` naming this adapter and the operation, classified so the
   * tracker knows whether a retry can help.
   */
  protected async guardRead<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof TokenLedgerConfigError) throw err;
      throw toStorageError(err, `${this.kind} ${operation}`);
    }
  }
}
