import type { LedgerEvent } from "./event.js";

/**
 * Something that wants every stored event (the OpenTelemetry exporter, for one).
 *
 * Two halves, because they run in different places:
 * - `capture` runs inside `tracker.record()`, on the host's call path. It may read only what exists at call
 *   time and is cheap to read (the active span context is an O(1) lookup). It must not do I/O.
 * - `onStored` runs in the flush path, after a batch is written to storage, with what `capture` returned
 *   for each event. Building spans, metrics or anything else costly belongs here.
 * Both are guarded: a throw is counted as an internal error (stage `listener`) and never reaches the host,
 * and never stops storage or the other listeners.
 */
export interface RecordListener<C = unknown> {
  readonly capture?: () => C;
  readonly onStored: (events: readonly StoredEvent<C>[]) => void;
}

export interface StoredEvent<C = unknown> {
  readonly event: LedgerEvent;
  /** What `capture` returned when the call was recorded; undefined without `capture` or when it threw. */
  readonly captured: C | undefined;
}

/** What the tracker keeps per queued entry: one captured value per capturing listener. */
export type Captures = ReadonlyMap<RecordListener, unknown>;

/** The tracker's listener list. The tracker calls `capture()` in `record()` and `emit()` after each stored batch. */
export class RecordListeners {
  #all: readonly RecordListener[] = [];
  #capturing: readonly RecordListener[] = [];
  readonly #onError: (stage: string, err: unknown) => void;

  constructor(onError: (stage: string, err: unknown) => void) {
    this.#onError = onError;
  }

  /** Add a listener; returns a function that removes it. Adding the same listener twice adds it once. */
  add<C>(listener: RecordListener<C>): () => void {
    const l = listener as RecordListener;
    if (!this.#all.includes(l)) this.#set([...this.#all, l]);
    return () => this.#set(this.#all.filter((x) => x !== l));
  }

  /** Called in `record()`. No allocation when no listener captures (the common case). */
  capture(): Captures | undefined {
    if (this.#capturing.length === 0) return undefined;
    const out = new Map<RecordListener, unknown>();
    for (const l of this.#capturing) {
      try {
        out.set(l, l.capture?.());
      } catch (err) {
        this.#onError("listener", err);
      }
    }
    return out;
  }

  /** Called after a batch is stored. Each listener gets the whole batch once. */
  emit(entries: readonly { readonly event?: LedgerEvent; readonly captures?: Captures }[]): void {
    for (const l of this.#all) {
      try {
        const events: StoredEvent[] = [];
        for (const e of entries) if (e.event) events.push({ event: e.event, captured: e.captures?.get(l) });
        l.onStored(events);
      } catch (err) {
        this.#onError("listener", err);
      }
    }
  }

  #set(all: readonly RecordListener[]): void {
    this.#all = all;
    this.#capturing = all.filter((l) => typeof l.capture === "function");
  }
}
