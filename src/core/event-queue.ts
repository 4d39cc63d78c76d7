import type { Attribution } from "./attribution.js";
import type { LedgerEvent, UsageEventInput } from "./event.js";
import type { Captures } from "./record-listeners.js";

/** One recorded call waiting to be stored. The event is built (priced) lazily, off the host's path. */
export interface Entry {
  /** Position in recording order: `flush()` waits for every entry up to the last seq it saw. */
  readonly seq: number;
  readonly input: UsageEventInput;
  readonly context: Attribution;
  readonly at: number;
  readonly weight: number;
  event?: LedgerEvent;
  /** When a write of this entry first failed; `maxRetryDurationMs` counts from here. */
  firstFailureAt?: number;
  /** What record listeners captured at call time (for example the active span context). */
  readonly captures?: Captures;
  /** From `revise()`: overwrites the stored event with the same id (where the storage can). */
  readonly replace: boolean;
}

/**
 * The bounded in-memory queue, oldest first. When full, the newest event is refused (drop-newest, as
 * OpenTelemetry's batch processor does): what is queued is older and already paid for, and memory stays
 * bounded by `maxQueueSize` whatever storage does.
 */
export class EventQueue {
  readonly #entries: Entry[] = [];
  #seq = 0;
  /** Events refused since the queue last had room, reported once when it drains (not once per drop). */
  #overflow = 0;

  constructor(readonly max: number) {}

  get length(): number {
    return this.#entries.length;
  }

  /** The seq of the most recently queued entry (0 before the first). */
  get lastSeq(): number {
    return this.#seq;
  }

  get full(): boolean {
    return this.#entries.length >= this.max;
  }

  /** Count a refused event; true for the first refusal of an overflow episode, the one time to warn. */
  refuse(): boolean {
    return this.#overflow++ === 0;
  }

  /** The seq for the next entry; the caller builds the entry literal itself (no spread copy on the hot path). */
  nextSeq(): number {
    return ++this.#seq;
  }

  /** Queue an entry built with `nextSeq()` (the caller checked `full`). */
  push(entry: Entry): void {
    this.#entries.push(entry);
  }

  /** Once there is room again: how many were refused in the episode that just ended (0 if none); resets. */
  takeOverflow(): number {
    if (this.full || this.#overflow === 0) return 0;
    const n = this.#overflow;
    this.#overflow = 0;
    return n;
  }

  at(i: number): Entry | undefined {
    return this.#entries[i];
  }

  removeAt(i: number): void {
    this.#entries.splice(i, 1);
  }

  removeFront(n: number): void {
    this.#entries.splice(0, n);
  }

  /** True once every entry recorded up to `target` is stored or dropped. */
  isDone(target: number): boolean {
    const first = this.#entries[0];
    return first === undefined || first.seq > target;
  }

  /** How many entries recorded up to `target` are still queued. */
  pendingUpTo(target: number): number {
    return this.#entries.filter((e) => e.seq <= target).length;
  }
}
