import type { LedgerEvent, StorageAdapter } from "tokenledger";
import { StorageError } from "tokenledger";

export type Step =
  | "ok"
  | "transient" // e.g. SQLITE_BUSY / connection reset
  | "backend" // e.g. read-only database
  | "row" // constraint error: one row in the batch is bad
  | "commitThenThrow" // the write lands, the acknowledgement is lost
  | "hang"; // never resolves

export interface Call {
  readonly attempt: number;
  readonly ids: readonly string[];
  readonly step: Step;
  readonly at: number;
}

/**
 * A storage stub driven by a script (`["transient", "transient", "ok"]`), recording every call.
 * After the script runs out, every call succeeds. Idempotent by id, like the real adapters.
 */
export class ScriptedStorage implements StorageAdapter {
  readonly kind = "scripted";
  readonly calls: Call[] = [];
  readonly rows = new Map<string, LedgerEvent>();
  /** Ids that make a "row" error whenever they are in a batch. */
  readonly poison = new Set<string>();
  readonly #script: Step[];
  delayMs = 0;
  closed = false;

  constructor(script: Step[] = []) {
    this.#script = [...script];
  }

  async init(): Promise<void> {}

  async insertBatch(events: readonly LedgerEvent[]): Promise<void> {
    const step = this.#script.shift() ?? "ok";
    this.calls.push({ attempt: this.calls.length + 1, ids: events.map((e) => e.id), step, at: Date.now() });
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    if (events.some((e) => this.poison.has(e.id) || this.poison.has(String(e.metadata?.tag)))) {
      throw new StorageError("constraint failed", "row");
    }
    switch (step) {
      case "transient":
        throw Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" });
      case "backend":
        throw Object.assign(new Error("attempt to write a readonly database"), { code: "SQLITE_READONLY" });
      case "row":
        throw new StorageError("constraint failed", "row");
      case "hang":
        return new Promise<void>(() => {});
      case "commitThenThrow":
        this.#store(events);
        throw Object.assign(new Error("Connection terminated unexpectedly"), { code: "ECONNRESET" });
      default:
        this.#store(events);
    }
  }

  #store(events: readonly LedgerEvent[]): void {
    for (const e of events) if (!this.rows.has(e.id)) this.rows.set(e.id, e);
  }

  rollup(): never {
    throw new Error("not supported");
  }
  latency(): never {
    throw new Error("not supported");
  }
  events(): AsyncIterable<LedgerEvent> {
    const rows = [...this.rows.values()];
    return (async function* () {
      yield* rows;
    })();
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

export const sample = (i: number, extra: Record<string, unknown> = {}) => ({
  provider: "openai",
  model: "gpt-4o-mini",
  usage: { uncachedInputTokens: 100 + i, outputTokens: 10 },
  metadata: { tag: `e${i}` },
  ...extra,
});
