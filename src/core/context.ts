import { AsyncLocalStorage, AsyncResource } from "node:async_hooks";
import { ATTRIBUTION_KEYS, mergeAttribution, type Attribution } from "./attribution.js";
import { TokenLedgerConfigError } from "./errors.js";

// One store per process, shared by the ESM and CJS builds through a global symbol, so a context opened
// by code that loaded one format is seen by interceptors loaded through the other.
const STORE_KEY = Symbol.for("tokenledger.context.store");
type GlobalWithStore = typeof globalThis & { [STORE_KEY]?: AsyncLocalStorage<Attribution> };
const g = globalThis as GlobalWithStore;
const storage: AsyncLocalStorage<Attribution> = (g[STORE_KEY] ??= new AsyncLocalStorage<Attribution>());

const MAX_VALUE_LENGTH = 256;

/** Throws a `TokenLedgerConfigError` naming the field when a context value has the wrong type. */
export function validateAttribution(value: unknown, where = "withContext"): Attribution {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TokenLedgerConfigError(`${where}: attribution must be an object, got ${describe(value)}`);
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const v = record[key];
    if (v === undefined) continue;
    if (key === "metadata") {
      if (v === null || typeof v !== "object" || Array.isArray(v)) {
        throw new TokenLedgerConfigError(`${where}: "metadata" must be a plain object, got ${describe(v)}`);
      }
      continue;
    }
    if (!(ATTRIBUTION_KEYS as readonly string[]).includes(key)) {
      throw new TokenLedgerConfigError(
        `${where}: unknown attribution field "${key}" (expected one of ${ATTRIBUTION_KEYS.join(", ")}, metadata)`,
      );
    }
    if (typeof v !== "string") {
      throw new TokenLedgerConfigError(`${where}: "${key}" must be a string, got ${describe(v)}`);
    }
    if (v.length > MAX_VALUE_LENGTH) {
      throw new TokenLedgerConfigError(`${where}: "${key}" is longer than ${MAX_VALUE_LENGTH} characters`);
    }
  }
  return record as Attribution;
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v;
}

/**
 * Run `fn` (sync or async) with this attribution. Nested scopes merge (inner wins; metadata merges key by key).
 * The scope follows `await`, timers and I/O started inside it. An async iterable `fn` returns (directly or
 * through a promise), such as an SDK stream, is iterated inside the scope even when the caller reads it after
 * `withContext` returned; an LLM call started inside the scope keeps its attribution however late it ends.
 * Plain `EventEmitter` listeners run in the context of whoever calls `emit()`; use `EventEmitterAsyncResource`
 * for an emitter created here and emitted from elsewhere.
 */
export function withContext<T>(attribution: Attribution, fn: () => T): T {
  const checked = validateAttribution(attribution);
  const outer = storage.getStore();
  return storage.run(inheritCounter(outer, mergeAttribution(outer, checked)), () => keepScope(fn()));
}

/** The attribution active here, or an empty object. */
export function getContext(): Attribution {
  return storage.getStore() ?? EMPTY;
}

/** Internal: run with an already-validated, already-merged attribution (middleware, decorators). */
export function runWithAttribution<T>(attribution: Attribution, fn: () => T): T {
  return storage.run(inheritCounter(storage.getStore(), attribution), fn);
}

function inheritCounter(outer: Attribution | undefined, inner: Attribution): Attribution {
  const counter = (outer as Counted | undefined)?.[CALL_COUNTER];
  if (!counter || inner === outer) return inner;
  const copy: Counted = { ...inner };
  Object.defineProperty(copy, CALL_COUNTER, { value: counter, enumerable: false });
  return copy;
}

const EMPTY: Attribution = Object.freeze({});

// A per-scope counter of recorded calls, so `@trackLLM({ usage })` can tell whether a patched SDK (or a
// `trackCost()` call) already recorded the call it wraps, and so never count it twice. Counters chain to the
// enclosing counting scope: a call inside nested decorated methods counts for every one of them.
const CALL_COUNTER = Symbol.for("tokenledger.callCounter");
interface CallCounter {
  n: number;
  readonly parent: CallCounter | undefined;
}
type Counted = Attribution & { [CALL_COUNTER]?: CallCounter };

/** Internal: called by interceptors (and `trackCost`) for every call they record. */
export function noteInterceptedCall(): void {
  const store = storage.getStore() as Counted | undefined;
  for (let c = store?.[CALL_COUNTER]; c; c = c.parent) c.n++;
}

/** Internal: run `fn` in a scope that counts intercepted calls; `count()` reads the number so far. */
export function runCountingCalls<T>(attribution: Attribution, fn: (count: () => number) => T): T {
  const counter: CallCounter = { n: 0, parent: (storage.getStore() as Counted | undefined)?.[CALL_COUNTER] };
  const scoped: Counted = { ...attribution };
  Object.defineProperty(scoped, CALL_COUNTER, { value: counter, enumerable: false });
  return storage.run(scoped, () => fn(() => counter.n));
}

/** Hooks on a scoped result; each runs inside the scope and must not throw (guarded anyway). */
export interface ScopedResultObserver {
  /** The (awaited) result when it is not an async iterable. */
  onValue?(value: unknown): void;
  /** Each item of a returned async iterable, then `onEnd` once: completed, `break`/`return()` or error. */
  onItem?(item: unknown): void;
  onEnd?(): void;
}

/**
 * Internal: make the scope active now follow `result`. An async iterable (returned directly or through a
 * promise) gets its `[Symbol.asyncIterator]` rebound on the instance so every step runs in this scope; the object
 * keeps its identity and methods. A native promise is chained (same settlement, rejections reach the caller
 * untouched); another thenable (an SDK's APIPromise, whose extra methods callers use) is returned as is and
 * observed only when the caller awaits it. Never throws.
 */
export function keepScope<T>(result: T, observer?: ScopedResultObserver): T {
  try {
    if (result instanceof Promise && result.constructor === Promise) {
      return result.then((value: unknown) => {
        onResolved(value, observer);
        return value;
      }) as T;
    }
    if (isThenable(result)) {
      observeWhenAwaited(result, observer);
      return result;
    }
    onResolved(result, observer);
  } catch {
    /* scoping a result must never break the call */
  }
  return result;
}

/**
 * Observe a foreign thenable (an SDK's lazy APIPromise) only once the caller itself awaits it. Calling `.then`
 * early would start its lazy body parse, and a caller using `.asResponse()` would find the body consumed.
 */
function observeWhenAwaited(
  thenable: PromiseLike<unknown>,
  observer: ScopedResultObserver | undefined,
): void {
  if (!Object.isExtensible(thenable)) return;
  const originalThen = thenable.then;
  let observed = false;
  Object.defineProperty(thenable, "then", {
    configurable: true,
    writable: true,
    value: function scopedThen(
      this: PromiseLike<unknown>,
      ...args: Parameters<PromiseLike<unknown>["then"]>
    ) {
      if (!observed) {
        observed = true;
        try {
          originalThen.call(
            this,
            (value) => onResolved(value, observer),
            () => undefined, // the caller handles its own rejection; this branch only observes
          );
        } catch {
          /* observing must never break the caller's await */
        }
      }
      return originalThen.apply(this, args);
    },
  });
}

function onResolved(value: unknown, observer: ScopedResultObserver | undefined): void {
  try {
    if (isAsyncIterable(value) && bindIteration(value, observer)) return;
    observer?.onValue?.(value);
  } catch {
    /* observer failures stay here */
  }
}

function bindIteration(
  iterable: AsyncIterable<unknown>,
  observer: ScopedResultObserver | undefined,
): boolean {
  if (!Object.isExtensible(iterable)) return false;
  const scope = new AsyncResource("tokenledger.scope");
  const original = iterable[Symbol.asyncIterator];
  const watch = observer?.onItem || observer?.onEnd ? observer : undefined;
  let ended = false;
  const end = (): void => {
    if (ended || !watch) return;
    ended = true;
    scope.runInAsyncScope(() => guard(() => watch.onEnd?.()));
  };
  Object.defineProperty(iterable, Symbol.asyncIterator, {
    configurable: true,
    writable: true,
    value: function scopedAsyncIterator(this: unknown): AsyncIterator<unknown> {
      const inner = scope.runInAsyncScope(() => original.call(this) as AsyncIterator<unknown>);
      const step = async (run: () => Promise<IteratorResult<unknown>> | IteratorResult<unknown>) => {
        let r: IteratorResult<unknown>;
        try {
          r = await scope.runInAsyncScope(run);
        } catch (err) {
          end();
          throw err;
        }
        if (r.done) end();
        else if (watch?.onItem) scope.runInAsyncScope(() => guard(() => watch.onItem?.(r.value)));
        return r;
      };
      const scoped: AsyncIterableIterator<unknown> = {
        next: (...a: [] | [unknown]) => step(() => inner.next(...a)),
        return: (value?: unknown) => {
          end();
          return step(() => (inner.return ? inner.return(value) : { done: true, value }));
        },
        throw: (err?: unknown) => step(() => (inner.throw ? inner.throw(err) : Promise.reject(err))),
        [Symbol.asyncIterator]() {
          return scoped;
        },
      };
      return scoped;
    },
  });
  return true;
}

function guard(fn: () => void): void {
  try {
    fn();
  } catch {
    /* an observer must not break iteration */
  }
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (
    v !== null &&
    (typeof v === "object" || typeof v === "function") &&
    typeof (v as { then?: unknown }).then === "function"
  );
}

function isAsyncIterable(v: unknown): v is AsyncIterable<unknown> {
  return (
    v !== null &&
    typeof v === "object" &&
    typeof (v as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === "function"
  );
}
