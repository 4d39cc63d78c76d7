const ORIGINAL = Symbol.for("tokenledger.original");
const WRAPPED = Symbol.for("tokenledger.wrapped");

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;
type Marked = AnyFunction & { [ORIGINAL]?: AnyFunction; [WRAPPED]?: true };

export function isWrapped(fn: unknown): boolean {
  return typeof fn === "function" && (fn as Marked)[WRAPPED] === true;
}

export function originalOf<F>(fn: F): F {
  return ((fn as unknown as Marked)?.[ORIGINAL] as F | undefined) ?? fn;
}

/**
 * A set of method patches that can be undone together. Wrapping is idempotent per slot (a slot already
 * holding our wrapper is left alone, which also guards the CJS and ESM copies separately), and restoring
 * only puts the original back if the slot still holds our wrapper, so anything wrapped on top survives.
 */
export class PatchSet {
  readonly #undo: (() => void)[] = [];

  /** Replace `target[name]` with `factory(original)`. Returns false if the method is missing or already ours. */
  wrap(target: object, name: string, factory: (original: AnyFunction) => AnyFunction): boolean {
    const holder = target as Record<string, unknown>;
    const current = holder[name];
    if (typeof current !== "function" || isWrapped(current)) return false;
    const original = current as AnyFunction;
    const wrapper = factory(original) as Marked;
    Object.defineProperty(wrapper, ORIGINAL, { value: original });
    Object.defineProperty(wrapper, WRAPPED, { value: true });
    Object.defineProperty(wrapper, "name", { value: original.name, configurable: true });
    Object.defineProperty(wrapper, "length", { value: original.length, configurable: true });
    const own = Object.getOwnPropertyDescriptor(target, name);
    Object.defineProperty(target, name, {
      value: wrapper,
      writable: own?.writable ?? true,
      enumerable: own?.enumerable ?? false,
      configurable: true,
    });
    this.#undo.push(() => {
      if (holder[name] !== wrapper) return;
      if (own) Object.defineProperty(target, name, own);
      else delete holder[name];
    });
    return true;
  }

  /** Register any other undo step (for example a middleware removal). */
  onRestore(fn: () => void): void {
    this.#undo.push(fn);
  }

  get size(): number {
    return this.#undo.length;
  }

  restore(): void {
    while (this.#undo.length > 0) {
      try {
        this.#undo.pop()?.();
      } catch {
        /* restoring must not throw */
      }
    }
  }
}
