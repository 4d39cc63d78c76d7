import type { InterceptorEnv } from "../_shared/types.js";
import { isWrapped, PatchSet } from "../_shared/wrap.js";
import { RealtimeSession, type Listener } from "./realtime-session.js";

/** The parts of `OpenAIRealtimeWS` / `OpenAIRealtimeWebSocket` (openai ≥ 4.80, GA and beta) we use. */
export interface RealtimeLike {
  on(event: string, listener: Listener): unknown;
  off?(event: string, listener: Listener): unknown;
  send(event: unknown): unknown;
  close(props?: unknown): unknown;
  url: unknown;
  /** A `ws` WebSocket (Node) or a WHATWG WebSocket (`OpenAIRealtimeWebSocket`). */
  socket?: unknown;
  _emit?: unknown;
}

// Which path records a client (its first claimant): the auto-patch's handlers, or `null` for listeners added by
// `instrument(rt)`. Global so the CommonJS and ESM copies of tokenledger agree.
const KEY = Symbol.for("tokenledger.openai.realtime-claims");
type Claim = Map<string, Listener> | null;
const g = globalThis as typeof globalThis & { [KEY]?: WeakMap<object, Claim> };
const claims: WeakMap<object, Claim> = (g[KEY] ??= new WeakMap<object, Claim>());

/** The client's claim, made by `make()` if it has none yet. */
export function claimRealtime(rt: object, make: () => Claim): Claim {
  if (!claims.has(rt)) claims.set(rt, make());
  return claims.get(rt) ?? null;
}

/** Call `fn` once the socket closes (`ws` or WHATWG); returns the undo. */
export function onSocketClose(socket: unknown, fn: () => void): () => void {
  const s = socket as {
    on?(event: string, listener: () => void): unknown;
    off?(event: string, listener: () => void): unknown;
    addEventListener?(event: string, listener: () => void): unknown;
    removeEventListener?(event: string, listener: () => void): unknown;
  } | null;
  const onClose = (): void => {
    try {
      fn();
    } catch {
      /* LlmCall never throws; this guards the SDK's close handler anyway */
    }
  };
  if (typeof s?.on === "function") {
    s.on("close", onClose);
    return () => s.off?.("close", onClose);
  }
  if (typeof s?.addEventListener === "function") {
    s.addEventListener("close", onClose);
    return () => s.removeEventListener?.("close", onClose);
  }
  return () => {};
}

export function isRealtimeClient(value: unknown): value is RealtimeLike {
  const v = value as Partial<RealtimeLike> | null;
  return (
    !!v &&
    typeof v === "object" &&
    typeof v.on === "function" &&
    typeof v.send === "function" &&
    typeof v.close === "function" &&
    "socket" in v &&
    /\/realtime(\?|$)/.test(String(v.url instanceof URL ? `${v.url.pathname}` : (v.url ?? "")))
  );
}

/**
 * One Realtime session (WebSocket, text and audio): every response is billed when it ends, and `response.done`
 * carries its usage with text, audio and cached buckets. Each response is one event (`operation: "realtime"`),
 * timed from `response.created`, attributed to the context active when the session was instrumented; input audio
 * transcriptions are events of their own (realtime-session.ts). A response still open when the socket closes is
 * recorded as aborted (usage missing). Our listeners never throw into the SDK.
 */
export function instrumentRealtime(rt: RealtimeLike, env: InterceptorEnv): PatchSet {
  const set = new PatchSet();
  // Already recorded by the auto-patch (track()), or instrumented before: an empty set, "already tracked".
  if (isWrapped(rt._emit) || claims.has(rt)) return set;
  claims.set(rt, null);
  const session = new RealtimeSession(parseUrl(rt.url), rt, env);
  const listeners = session.listeners();
  for (const [name, fn] of listeners) rt.on(name, fn);
  const offClose = onSocketClose(rt.socket, () => session.close());
  set.onRestore(() => {
    for (const [name, fn] of listeners) rt.off?.(name, fn);
    offClose();
    claims.delete(rt);
  });
  return set;
}

export function parseUrl(value: unknown): URL | null {
  try {
    return value instanceof URL ? value : typeof value === "string" ? new URL(value) : null;
  } catch {
    return null;
  }
}
