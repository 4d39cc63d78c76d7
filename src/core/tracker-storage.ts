import type { DatabaseTarget } from "./database-url.js";
import type { StorageAdapter } from "./storage.js";
import { resolveStorageOption } from "./storage-resolution.js";

export type StorageSource = StorageAdapter | (() => Promise<StorageAdapter>) | DatabaseTarget;

/**
 * The tracker's storage adapter: opened (and migrated) once on first use, retried after a failed open,
 * and closed on shutdown unless the host keeps ownership (`closeStorage: false`).
 */
export class TrackerStorage {
  readonly #source: StorageSource;
  readonly #closeOnShutdown: boolean;
  #current: StorageAdapter | undefined;
  #opening: Promise<StorageAdapter> | undefined;
  /** Every adapter obtained, opened or still opening: close() must reach one whose init() hangs too. */
  readonly #adapters = new Set<StorageAdapter>();

  constructor(source: StorageSource, closeOnShutdown: boolean) {
    this.#source = source;
    this.#closeOnShutdown = closeOnShutdown;
  }

  /** The adapter once open; the synchronous exit write can only use one that is already open. */
  get current(): StorageAdapter | undefined {
    return this.#current;
  }

  get(): Promise<StorageAdapter> {
    this.#opening ??= resolveStorageOption(this.#source).then(async (s) => {
      this.#adapters.add(s); // closable even while init() waits on a hung server
      await s.init();
      this.#current = s;
      return s;
    });
    this.#opening.catch(() => {
      this.#opening = undefined; // allow a later retry
    });
    return this.#opening;
  }

  /**
   * Close what this tracker owns, including an adapter still being opened. With `closeStorage: false` the
   * host passed the adapter (or its factory) and closes it itself, for example because a server shares it.
   */
  async close(): Promise<void> {
    if (!this.#closeOnShutdown) return;
    if (this.#adapters.size === 0) await this.#opening?.catch(() => undefined);
    await Promise.all([...this.#adapters].map((a) => a.close()));
  }
}
