export type StreamEnd = "done" | "return" | "error";

export interface TapHooks<T> {
  /** Called for every item before the consumer gets it. Must not throw (guarded anyway). */
  onItem(item: T): void;
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
      let result: IteratorResult<T>;
      try {
        result = await source.next(...args);
      } catch (err) {
        end("error", err);
        throw err;
      }
      if (result.done) {
        end("done");
      } else {
        try {
          hooks.onItem(result.value);
        } catch (e) {
          safeHookError(hooks, "stream-item", e);
        }
      }
      return result;
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
