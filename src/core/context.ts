import { AsyncLocalStorage } from "node:async_hooks";
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
 * Run `fn` (sync or async) with this attribution and return what it returns, unchanged.
 * Nested scopes merge (inner wins; metadata merges key by key). The scope follows `await`, timers and I/O
 * started inside it; an LLM call started inside it keeps the attribution even when its stream is read later.
 * Plain `EventEmitter` listeners run in the context of whoever calls `emit()`; use `EventEmitterAsyncResource`
 * for an emitter created here and emitted from elsewhere.
 */
export function withContext<T>(attribution: Attribution, fn: () => T): T {
  const checked = validateAttribution(attribution);
  const outer = storage.getStore();
  return storage.run(inheritCounter(outer, mergeAttribution(outer, checked)), fn);
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
