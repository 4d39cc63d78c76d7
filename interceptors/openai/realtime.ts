import { getContext, runWithAttribution } from "../../src/core/context.js";
import { fromOpenAIRealtimeUsage } from "../../src/usage/index.js";
import { LlmCall, type CallOutcome } from "../_shared/call.js";
import { reportSafely, sinkOrNone } from "../_shared/guard.js";
import type { InterceptorEnv, UsageSink } from "../_shared/types.js";
import { PatchSet } from "../_shared/wrap.js";

type Listener = (event: unknown) => void;

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

interface RealtimeResponse {
  id?: unknown;
  status?: unknown;
  status_details?: { type?: unknown; reason?: unknown; error?: { type?: unknown; message?: unknown } } | null;
  usage?: unknown;
}

/**
 * One Realtime session (WebSocket, text and audio): every response is billed when it ends, and `response.done`
 * carries its usage with text, audio and cached buckets. Each response is one event (`operation: "realtime"`),
 * timed from `response.created`, attributed to the context active when the session was instrumented. A response
 * still open when the socket closes is recorded as aborted (usage missing). Our listeners never throw into the SDK.
 */
export function instrumentRealtime(rt: RealtimeLike, env: InterceptorEnv): PatchSet {
  const set = new PatchSet();
  const attribution = getContext();
  const url = parseUrl(rt.url);
  const azure =
    !!url && /\.(openai\.azure|cognitiveservices\.azure|services\.ai\.azure)\.com$/.test(url.hostname);
  const provider = azure ? "azure" : "openai";
  const deployment = url?.searchParams.get("deployment") ?? null;
  const requestedModel = url?.searchParams.get("model") ?? deployment;
  let model: string | null = requestedModel; // then the served snapshot from session.created
  let sessionId: string | null = null;
  const open = new Map<string, LlmCall>();

  const start = (sink: UsageSink): LlmCall =>
    runWithAttribution(
      attribution,
      () =>
        new LlmCall(sink, {
          provider,
          operation: "realtime",
          requestedModel,
          streamed: true,
          metadata: sessionId ? { realtimeSession: sessionId } : {},
          client: rt,
        }),
    );

  const guard =
    (stage: string, fn: (event: unknown, sink: UsageSink) => void): Listener =>
    (event) => {
      const sink = sinkOrNone(env);
      if (!sink) return;
      try {
        fn(event, sink);
      } catch (e) {
        reportSafely(sink, `openai:realtime:${stage}`, e);
      }
    };

  const onSession = guard("session", (event) => {
    const session = (event as { session?: { id?: unknown; model?: unknown } } | null)?.session;
    if (typeof session?.model === "string" && session.model) model = session.model;
    if (typeof session?.id === "string") sessionId = session.id;
  });
  const onCreated = guard("created", (event, sink) => {
    const id = responseOf(event)?.id;
    if (typeof id === "string" && !open.has(id)) open.set(id, start(sink));
  });
  const onDone = guard("done", (event, sink) => {
    const response = responseOf(event);
    if (!response) return;
    const id = typeof response.id === "string" ? response.id : null;
    const call = (id && open.get(id)) || start(sink);
    if (id) open.delete(id);
    const outcome: CallOutcome = {
      model: azure && deployment ? deployment : model,
      usage: response.usage ? fromOpenAIRealtimeUsage(response.usage) : null,
      requestId: id,
      ...(sessionId ? { metadata: { realtimeSession: sessionId } } : {}),
    };
    switch (response.status) {
      case "cancelled":
        return call.abandon(outcome);
      case "failed": {
        const err = response.status_details?.error;
        const error = new Error(typeof err?.message === "string" ? err.message : "Realtime response failed");
        error.name = typeof err?.type === "string" ? err.type : "RealtimeResponseFailed";
        return call.fail(error, outcome);
      }
      case "incomplete":
        return call.succeed({ ...outcome, metadata: { ...outcome.metadata, responseStatus: "incomplete" } });
      default:
        return call.succeed(outcome);
    }
  });
  const onClose = (): void => {
    try {
      for (const call of open.values()) call.abandon({ model, metadata: { realtimeClosed: true } });
      open.clear();
    } catch {
      /* LlmCall never throws; this guards the SDK's close handler anyway */
    }
  };

  const listeners: [string, Listener][] = [
    ["session.created", onSession],
    ["session.updated", onSession],
    ["response.created", onCreated],
    ["response.done", onDone],
  ];
  for (const [name, fn] of listeners) rt.on(name, fn);
  const socket = rt.socket;
  if (typeof socket?.on === "function") socket.on("close", onClose);
  set.onRestore(() => {
    for (const [name, fn] of listeners) rt.off?.(name, fn);
    socket?.off?.("close", onClose);
  });
  return set;
}

function responseOf(event: unknown): RealtimeResponse | null {
  const r = (event as { response?: unknown } | null)?.response;
  return r && typeof r === "object" ? (r as RealtimeResponse) : null;
}

function parseUrl(value: unknown): URL | null {
  try {
    return value instanceof URL ? value : typeof value === "string" ? new URL(value) : null;
  } catch {
    return null;
  }
}
