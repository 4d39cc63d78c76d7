import { StorageError } from "tokenledger/storage-kit";

interface Waiter {
  readonly resolve: () => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/**
 * At most `slots` budget operations of this process hold a pool connection at once; the rest wait here, in
 * order, for up to `maxWaitMs`. Without it, hundreds of concurrent calls queue inside the pg pool, whose short
 * connect timeout (5 s) fails them with a bare "timeout exceeded when trying to connect", and the event writer
 * sharing the pool queues behind all of them. Past the wait: a StorageError saying why.
 */
export class ConnectionQueue {
  #active = 0;
  readonly #waiting: Waiter[] = [];

  constructor(
    private readonly limits: () => { readonly slots: number; readonly maxWaitMs: number },
    private readonly what: string,
  ) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    await this.#acquire();
    try {
      return await fn();
    } finally {
      this.#release();
    }
  }

  #acquire(): Promise<void> {
    const { slots, maxWaitMs } = this.limits();
    if (this.#active < Math.max(1, slots)) {
      this.#active++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        timer: setTimeout(() => {
          const i = this.#waiting.indexOf(waiter);
          if (i >= 0) this.#waiting.splice(i, 1);
          reject(
            new StorageError(
              `${this.what}: waited ${maxWaitMs} ms for one of ${slots} connections (${this.#waiting.length + 1} budget checks queued in this process); lower the concurrency, raise maxWaitMs, or give the storage a larger pool`,
              "transient",
            ),
          );
        }, maxWaitMs),
      };
      this.#waiting.push(waiter);
    });
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (!next) {
      this.#active--;
      return;
    }
    clearTimeout(next.timer);
    next.resolve(); // the slot passes straight to the next waiter
  }

  get queued(): number {
    return this.#waiting.length;
  }
}
