import type { LedgerEvent } from "../core/event.js";
import type { StorageAdapter } from "../core/storage.js";
import type { FileState, ImportState } from "./state.js";
import { withoutLiveDuplicates } from "../core/live-calls.js";

/** A file's state to record, minus the timestamp the state store adds. */
export type FinishedFile = { path: string; state: Omit<FileState, "importedAt"> };

/**
 * Buffers an import's writes: new events, revisions of provisional ones, and the file states they complete.
 * Batches span files (one transaction per `batchSize` events, not per file: a tree of many small session files
 * would otherwise pay a commit each). A file's state is recorded only in the flush that stores its last events,
 * so a crash mid-import never marks a file as read while its events are lost: the rerun reads it again and ids
 * keep that idempotent.
 */
export class ImportWriter {
  private inserts: LedgerEvent[] = [];
  private replaces: LedgerEvent[] = [];
  private finished: FinishedFile[] = [];

  constructor(
    private readonly storage: StorageAdapter,
    private readonly state: ImportState,
    private readonly batchSize: number,
  ) {}

  /** Queue one event; `revise` replaces a provisional row an earlier import stored under the same id. */
  async add(event: LedgerEvent, revise: boolean): Promise<void> {
    if (revise) this.replaces.push(event);
    else this.inserts.push(event);
    if (this.inserts.length + this.replaces.length >= this.batchSize) await this.flush();
  }

  /** Queue a file's state; flushing every 256 files bounds the work a crash forces the rerun to redo. */
  async fileDone(file: FinishedFile): Promise<void> {
    this.finished.push(file);
    if (this.finished.length >= 256) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.inserts.length > 0) {
      const pending = this.inserts;
      this.inserts = [];
      // A call the proxy or OTLP receiver already recorded (same request id) is not counted twice.
      await this.storage.insertBatch(await withoutLiveDuplicates(this.storage, pending));
    }
    if (this.replaces.length > 0) {
      const pending = this.replaces;
      this.replaces = [];
      // Storage without replace: insertBatch ignores ids already stored, so the provisional row stays (no loss).
      if (this.storage.replaceBatch) await this.storage.replaceBatch(pending);
      else await this.storage.insertBatch(pending);
    }
    for (const f of this.finished) this.state.set(f.path, f.state);
    this.finished = [];
  }
}
