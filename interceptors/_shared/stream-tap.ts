export type StreamEnd = "done" | "return" | "error";

/** Returned by `TapHooks.present` to drop an item: the consumer never sees it and the next one is read. */
export const HIDE: unique symbol = Symbol("tokenledger.hide");

export interface TapHooks<T> {
  /** Called for every item before the consumer gets it. Must not throw (guarded anyway). */
  onItem(item: T): void;
  /**
   * Optional, called after `onItem`: what the consumer receives instead of `item` (the same object when unchanged),
   * or `HIDE` to drop it. Filtering here keeps one iterator layer per stream. If it throws, the item goes through.
   */
  present?(item: T): T | typeof HIDE;
  /** Called exactly once: completed, consumer stopped early (`break`/`return()`), or errored. */
  onEnd(end: StreamEnd, error?: unknown): void;
  /** Report a failure inside a hook; the stream itself is never affected. */
  onHookError(stage: string, error: unknown): void;
}

/**
 * Observe an async iterator without changing what the consumer receives or when errors surface.
 * The end is reported once, whichever way the stream stops.
 */
export function tapAsyncIterator<T>(source: AsyncIterator<T>, hooks: TapHooks<T>): AsyncIterator<T> {
  let ended = false;
  const end = (kind: StreamEnd, error?: unknown): void => {
    if (ended) return;
    ended = true;
    try {
      hooks.onEnd(kind, error);
    } catch (e) {
      safeHookError(hooks, "stream-end", e);
    }
  };
  const iterator: AsyncIterator<T> = {
    async next(...args: [] | [undefined]) {
      for (;;) {
        let result: IteratorResult<T>;
        try {
          result = await source.next(...args);
        } catch (err) {
          end("error", err);
          throw err;
        }
        if (result.done) {
          end("done");
          return result;
        }
        try {
          hooks.onItem(result.value);
        } catch (e) {
          safeHookError(hooks, "stream-item", e);
        }
        if (!hooks.present) return result;
        let shown: T | typeof HIDE;
        try {
          shown = hooks.present(result.value);
        } catch (e) {
          safeHookError(hooks, "stream-present", e);
          return result;
        }
        if (shown === HIDE) continue;
        return shown === result.value ? result : { done: false, value: shown };
      }
    },
    async return(value?: unknown) {
      end("return");
      if (typeof source.return === "function") return source.return(value as never);
      return { done: true, value: value as T };
    },
    async throw(err?: unknown) {
      end("error", err);
      if (typeof source.throw === "function") return source.throw(err);
      throw err;
    },
  };
  return iterator;
}

/** Same, for an async iterable: `[Symbol.asyncIterator]` yields a tapped iterator. */
export function tapAsyncIterable<T>(
  source: AsyncIterable<T>,
  hooks: TapHooks<T>,
): AsyncIterable<T> & AsyncIterator<T> {
  const it = tapAsyncIterator(source[Symbol.asyncIterator](), hooks);
  return Object.assign(it, {
    [Symbol.asyncIterator]() {
      return it;
    },
  }) as AsyncIterable<T> & AsyncIterator<T>;
}

function safeHookError<T>(hooks: TapHooks<T>, stage: string, error: unknown): void {
  try {
    hooks.onHookError(stage, error);
  } catch {
    /* the stream must go on whatever the hooks do */
  }
}
