import { reportSafely, sinkOrNone } from "../_shared/guard.js";
import type { InterceptorEnv } from "../_shared/types.js";
import type { PatchSet } from "../_shared/wrap.js";
import type { Method } from "../_google/tracked-call.js";
import { LiveInstances } from "./construction.js";
import { isModels, patchModels, providerOf } from "./models.js";
import { wrapPublicStream } from "./stream.js";
import { embedOutcome, generateOutcome, wrapPublicUnary } from "./unary.js";

/**
 * Clients built before `track()`: their `models` object was created before the construction hook existed, so
 * its per-instance methods are the SDK's own. Every call still reaches a `Models.prototype` method
 * (`generateContentInternal`, `generateContentStreamInternal`, `embedContent`), so a hook there patches such an
 * instance on its first call and records that call. Instances patched already carry their own wrappers on these
 * slots (which end up calling the hook), so the hook lets them through untouched.
 *
 * Not covered: the 2nd and later automatic-function-calling rounds of that very first call (its loop already
 * runs outside our scope); later calls are complete.
 */
const HOOK = Symbol.for("tokenledger.google-genai.existingClientHook");

type RecordOnce = (original: Method, models: object) => Method;

export function hookExistingClients(mod: unknown, env: InterceptorEnv, set: PatchSet): void {
  const m = mod as { Models?: unknown; default?: { Models?: unknown } } | null;
  const Models = m?.Models ?? m?.default?.Models;
  const proto = (Models as { prototype?: unknown } | undefined)?.prototype;
  if (typeof Models !== "function" || proto === null || typeof proto !== "object") return;
  const live = new LiveInstances();
  const adopt = (models: object): void => {
    try {
      live.add(models, patchModels(models, env, providerOf(undefined, models)));
    } catch (err) {
      const sink = sinkOrNone(env);
      if (sink) reportSafely(sink, "gemini.patch-existing-client", err);
    }
  };
  let hooked = false;
  for (const [name, recordOnce] of recordingSlots(env)) {
    if (hookSlot(proto, name, { env, set, adopt, recordOnce })) hooked = true;
  }
  if (hooked) set.onRestore(() => live.restoreAll());
}

/** The `Models.prototype` methods every call reaches, and how the first call of an existing client is recorded. */
function recordingSlots(env: InterceptorEnv): [string, RecordOnce][] {
  const target = (models: object) => ({ provider: providerOf(undefined, models), perRequestPatched: false });
  return [
    [
      "generateContentInternal",
      (original, models) =>
        wrapPublicUnary(env, target(models), "generate_content", generateOutcome)(original) as Method,
    ],
    [
      "generateContentStreamInternal",
      (original, models) => wrapPublicStream(env, target(models))(original) as Method,
    ],
    [
      "embedContent",
      (original, models) =>
        wrapPublicUnary(env, target(models), "embeddings", embedOutcome)(original) as Method,
    ],
  ];
}

interface SlotHook {
  readonly env: InterceptorEnv;
  readonly set: PatchSet;
  /** Give an existing instance its own wrappers. */
  readonly adopt: (models: object) => void;
  readonly recordOnce: RecordOnce;
}

/** Put the hook on one prototype slot; false when the method is missing or hooked already. */
function hookSlot(proto: object, name: string, { env, set, adopt, recordOnce }: SlotHook): boolean {
  const own = Object.getOwnPropertyDescriptor(proto, name);
  const original = own?.value as unknown;
  if (typeof original !== "function" || (original as { [HOOK]?: true })[HOOK]) return false;
  const hook = function (this: unknown, ...args: unknown[]): unknown {
    const self = this as object | null;
    if (!sinkOrNone(env) || !isModels(self) || Object.prototype.hasOwnProperty.call(self, name))
      return (original as Method).apply(this, args);
    adopt(self); // from now on this instance carries its own wrappers
    return recordOnce(original as Method, self).apply(this, args);
  };
  Object.defineProperty(hook, HOOK, { value: true });
  Object.defineProperty(proto, name, { ...own, value: hook });
  set.onRestore(() => {
    if (Object.getOwnPropertyDescriptor(proto, name)?.value === hook)
      Object.defineProperty(proto, name, own!);
  });
  return true;
}
