import type { InterceptorEnv } from "../_shared/types.js";
import type { PatchSet } from "../_shared/wrap.js";
import { reportSafely } from "../_shared/guard.js";
import { isModels, patchModels, providerOf } from "./models.js";

const HOOK = Symbol.for("tokenledger.google-genai.constructionHook");

/**
 * Patch every `GoogleGenAI` created from now on. The class binding cannot be replaced in an ESM namespace,
 * and code may hold the class already, so instead the constructor's own `this.models = new Models(...)` is
 * caught by a setter on `GoogleGenAI.prototype`: it stores `models` as a normal own property and patches it.
 * Restoring removes the setter and un-patches every instance still alive.
 */
export function hookConstruction(cls: unknown, env: InterceptorEnv, set: PatchSet): boolean {
  const proto = (cls as { prototype?: unknown } | null)?.prototype;
  if (typeof cls !== "function" || proto === null || typeof proto !== "object") return false;
  const existing = Object.getOwnPropertyDescriptor(proto, "models");
  if (existing) {
    const ours = (existing.set as { [HOOK]?: true } | undefined)?.[HOOK] === true;
    if (!ours)
      env.warnOnce(
        "@google/genai:models-slot",
        "@google/genai: GoogleGenAI.prototype.models already exists; new clients are not patched (use instrument(client))",
      );
    return false;
  }
  const live = new LiveInstances();
  const setter = function (this: object, value: unknown): void {
    Object.defineProperty(this, "models", { value, writable: true, enumerable: true, configurable: true });
    try {
      if (isModels(value)) live.add(value, patchModels(value, env, providerOf(this, value)));
    } catch (err) {
      const sink = env.sink();
      if (sink) reportSafely(sink, "gemini.patch-client", err);
    }
  };
  Object.defineProperty(setter, HOOK, { value: true });
  Object.defineProperty(proto, "models", {
    configurable: true,
    enumerable: false,
    get: () => undefined,
    set: setter,
  });
  set.onRestore(() => {
    if (Object.getOwnPropertyDescriptor(proto, "models")?.set === setter)
      delete (proto as { models?: unknown }).models;
    live.restoreAll();
  });
  return true;
}

/** Patched `Models` instances, held weakly so clients the app drops can be garbage-collected. */
export class LiveInstances {
  #refs: WeakRef<object>[] = [];
  readonly #patches = new WeakMap<object, PatchSet>();

  add(models: object, patches: PatchSet): void {
    if (patches.size === 0) return;
    this.#patches.set(models, patches);
    this.#refs.push(new WeakRef(models));
    if (this.#refs.length % 256 === 0) this.#refs = this.#refs.filter((r) => r.deref() !== undefined);
  }

  restoreAll(): void {
    for (const ref of this.#refs.splice(0)) {
      const models = ref.deref();
      if (models) this.#patches.get(models)?.restore();
    }
  }
}
