import { tapAsyncIterator, type TapHooks } from "../_shared/stream-tap.js";

type Step<T> = Promise<IteratorResult<T>>;
interface GeneratorLike<T> {
  next(...args: [] | [unknown]): Step<T>;
  return(value?: unknown): Step<T>;
  throw(error?: unknown): Step<T>;
}

/**
 * Observe an SDK async generator IN PLACE: the caller keeps the very object the SDK returned (same prototype,
 * `Symbol.asyncIterator`, `instanceof`), only its `next`/`return`/`throw` become own properties that report to
 * `hooks`. `runStep` wraps every step the consumer drives (used to re-enter an async scope for work the SDK
 * does lazily inside the generator). Returns false, leaving the object untouched, when it is not a generator.
 */
export function observeGeneratorInPlace<T>(
  target: unknown,
  hooks: TapHooks<T>,
  runStep: <R>(step: () => R) => R = (step) => step(),
): boolean {
  if (!isGeneratorLike<T>(target)) return false;
  const next = target.next;
  const ret = target.return;
  const thr = target.throw;
  const source: AsyncIterator<T> = {
    next: (...args: [] | [undefined]) => runStep(() => next.apply(target, args)),
    return: (value?: unknown) => runStep(() => ret.call(target, value)),
    throw: (error?: unknown) => runStep(() => thr.call(target, error)),
  };
  const tapped = tapAsyncIterator(source, hooks);
  for (const name of ["next", "return", "throw"] as const) {
    const enumerable = Object.getOwnPropertyDescriptor(target, name)?.enumerable ?? false;
    Object.defineProperty(target, name, {
      value: tapped[name],
      writable: true,
      enumerable,
      configurable: true,
    });
  }
  return true;
}

function isGeneratorLike<T>(value: unknown): value is GeneratorLike<T> {
  if (value === null || typeof value !== "object") return false;
  const g = value as Partial<Record<"next" | "return" | "throw", unknown>> & {
    [Symbol.asyncIterator]?: unknown;
  };
  return (
    typeof g.next === "function" &&
    typeof g.return === "function" &&
    typeof g.throw === "function" &&
    typeof g[Symbol.asyncIterator] === "function" &&
    Object.isExtensible(value)
  );
}
