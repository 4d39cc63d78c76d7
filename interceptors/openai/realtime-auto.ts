import type { InterceptorEnv } from "../_shared/types.js";
import { PatchSet } from "../_shared/wrap.js";
import { RealtimeSession, type Listener } from "./realtime-session.js";
import { claimRealtime, onSocketClose, parseUrl, type RealtimeLike } from "./realtime.js";

/**
 * `track()` records Realtime sessions without `instrument(rt)`. Every Realtime client (`OpenAIRealtimeWS`,
 * `OpenAIRealtimeWebSocket`, GA and beta) extends `OpenAIRealtimeEmitter` and hands each server event to its
 * `_emit`; wrapping that one method on the base class sees every event of every session, whichever listeners the
 * application adds, and leaves the SDK's own listener bookkeeping alone. These subpaths are loaded like packages
 * (CommonJS and ESM copies); a version without them is skipped.
 */
export const REALTIME_MODULES = ["openai/realtime/internal-base", "openai/beta/realtime/internal-base"];

type Emitter = { prototype: object };

/** The `OpenAIRealtimeEmitter` class of a loaded `…/realtime/internal-base` module, if it is one. */
export function findRealtimeEmitter(mod: unknown): Emitter | undefined {
  if (mod === null || typeof mod !== "object") return undefined;
  const m = mod as { OpenAIRealtimeEmitter?: unknown; default?: { OpenAIRealtimeEmitter?: unknown } };
  const cls = m.OpenAIRealtimeEmitter ?? m.default?.OpenAIRealtimeEmitter;
  const proto = (cls as Partial<Emitter> | undefined)?.prototype as { _emit?: unknown } | undefined;
  return typeof cls === "function" && typeof proto?._emit === "function" ? (cls as Emitter) : undefined;
}

export function patchRealtimeEmitter(emitter: Emitter, env: InterceptorEnv): PatchSet {
  const set = new PatchSet();
  set.wrap(
    emitter.prototype,
    "_emit",
    (original) =>
      function (this: unknown, ...args: unknown[]): unknown {
        observe(this, args[0], args[1], env); // before the application's listeners: one of them may throw
        return original.apply(this, args);
      },
  );
  return set;
}

function observe(rt: unknown, name: unknown, event: unknown, env: InterceptorEnv): void {
  try {
    if (typeof name !== "string" || rt === null || typeof rt !== "object") return;
    handlersFor(rt as RealtimeLike, env)?.get(name)?.(event);
  } catch {
    /* never into the SDK's emitter (the handlers report their own failures) */
  }
}

/**
 * One session per client, made at its first event (`session.created`, emitted from the socket the client opened,
 * so the `withContext` active at construction is still the current one). A client already instrumented by hand
 * stays with its listeners: `claimRealtime` gives each client to one of the two paths only.
 */
function handlersFor(rt: RealtimeLike, env: InterceptorEnv): Map<string, Listener> | null | undefined {
  if (!env.sink()) return undefined;
  return claimRealtime(rt, () => {
    const session = new RealtimeSession(parseUrl(rt.url), rt, env);
    onSocketClose(rt.socket, () => session.close());
    return new Map(session.listeners());
  });
}
