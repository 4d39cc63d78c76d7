/**
 * Keeps the LAST value seen per key, emitting an entry once `window` newer keys have arrived after it.
 * Agents write a message's snapshots next to each other, so a small window is enough to let the final
 * snapshot win while memory stays bounded on files of any size. A snapshot arriving after its key was
 * emitted is reported as late (the id is stable, so the storage keeps the first one). Synchronous: the
 * caller collects what `emit` receives and writes it out in batches.
 */
export class LatestWins<T> {
  readonly #pending = new Map<string, T>();
  readonly #emitted = new Set<string>();
  readonly #emittedOrder: string[] = [];

  constructor(
    private readonly window: number,
    private readonly emit: (value: T) => void,
  ) {}

  put(key: string, value: T): "new" | "replaced" | "late" {
    if (this.#emitted.has(key)) return "late";
    const replaced = this.#pending.delete(key);
    this.#pending.set(key, value);
    while (this.#pending.size > this.window) {
      const [oldestKey, oldest] = this.#pending.entries().next().value as [string, T];
      this.#pending.delete(oldestKey);
      this.#remember(oldestKey);
      this.emit(oldest);
    }
    return replaced ? "replaced" : "new";
  }

  /** Emit everything pending. */
  flush(): void {
    for (const [key, value] of this.#pending) {
      this.#remember(key);
      this.emit(value);
    }
    this.#pending.clear();
  }

  // Remember a bounded number of emitted keys to recognise late snapshots.
  #remember(key: string): void {
    this.#emitted.add(key);
    this.#emittedOrder.push(key);
    if (this.#emittedOrder.length > this.window * 20) {
      const drop = this.#emittedOrder.splice(0, this.window * 10);
      for (const k of drop) this.#emitted.delete(k);
    }
  }
}
