/**
 * A bounded queue worked off in small slices, one slice per event-loop turn, so turning a large stored batch
 * into spans and metrics never blocks the host's event loop for long. Beyond `max` items, new items are
 * dropped and counted (newest dropped, as OTel's BatchSpanProcessor does). Never throws.
 */
export class SliceQueue<T> {
  readonly #items: T[] = [];
  readonly #max: number;
  readonly #slice: number;
  readonly #work: (item: T) => void;
  readonly #idle: (() => void)[] = [];
  #scheduled = false;
  #head = 0;
  dropped = 0;

  constructor(work: (item: T) => void, options: { max: number; slice: number }) {
    this.#work = work;
    this.#max = options.max;
    this.#slice = options.slice;
  }

  get size(): number {
    return this.#items.length - this.#head;
  }

  push(items: readonly T[]): void {
    for (const item of items) {
      if (this.size >= this.#max) this.dropped++;
      else this.#items.push(item);
    }
    this.#schedule();
  }

  /** Resolves once every queued item is processed. */
  idle(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #schedule(): void {
    if (this.#scheduled || this.size === 0) return;
    this.#scheduled = true;
    setImmediate(() => this.#run());
  }

  #run(): void {
    this.#scheduled = false;
    const end = Math.min(this.#items.length, this.#head + this.#slice);
    while (this.#head < end) {
      try {
        this.#work(this.#items[this.#head++] as T);
      } catch {
        /* the worker counts its own failures; a throw must not stall the queue */
      }
    }
    if (this.#head === this.#items.length) {
      this.#items.length = 0;
      this.#head = 0;
      for (const resolve of this.#idle.splice(0)) resolve();
    } else {
      this.#schedule();
    }
  }
}
