import type { Key } from "ink";

export type KeyHandler = (input: string, key: Key) => void;

/**
 * Keys handed from the dashboard (the one stdin subscription) to a child view such as the add flow.
 * Keys that arrive before the child has attached are queued and replayed on attach: with two separate
 * `useInput` subscriptions, a key typed during the switch (a, then o at once) went to nobody.
 */
export class KeySource {
  #handler: KeyHandler | null = null;
  #queue: [string, Key][] = [];

  push(input: string, key: Key): void {
    if (this.#handler) this.#handler(input, key);
    else this.#queue.push([input, key]);
  }

  /** Attach the child's handler; returns the detach function (for a React effect's cleanup). */
  attach(handler: KeyHandler): () => void {
    this.#handler = handler;
    const queued = this.#queue.splice(0);
    for (const [input, key] of queued) handler(input, key);
    return () => {
      if (this.#handler === handler) this.#handler = null;
    };
  }

  /** Forget queued keys (the child view closed). */
  clear(): void {
    this.#queue = [];
  }
}
