import type { InterceptorEnv } from "../_shared/types.js";
import { PatchSet } from "../_shared/wrap.js";
import { RealtimeSession, type Listener } from "./realtime-session.js";

/** The parts of `OpenAIRealtimeWS` / `OpenAIRealtimeWebSocket` (openai ≥ 4.80, GA and beta) we use. */
interface RealtimeLike {
  on(event: string, listener: Listener): unknown;
  off?(event: string, listener: Listener): unknown;
  send(event: unknown): unknown;
  close(props?: unknown): unknown;
  url: unknown;
  socket?: {
    on?(event: string, listener: () => void): unknown;
    off?(event: string, listener: () => void): unknown;
  };
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
  const session = new RealtimeSession(parseUrl(rt.url), rt, env);
  const onClose = (): void => {
    try {
      session.close();
    } catch {
      /* LlmCall never throws; this guards the SDK's close handler anyway */
    }
  };
  const listeners = session.listeners();
  for (const [name, fn] of listeners) rt.on(name, fn);
  const socket = rt.socket;
  if (typeof socket?.on === "function") socket.on("close", onClose);
  set.onRestore(() => {
    for (const [name, fn] of listeners) rt.off?.(name, fn);
    socket?.off?.("close", onClose);
  });
  return set;
}

function parseUrl(value: unknown): URL | null {
  try {
    return value instanceof URL ? value : typeof value === "string" ? new URL(value) : null;
  } catch {
    return null;
  }
}
