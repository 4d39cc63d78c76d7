import { getContext, runWithAttribution } from "../../src/core/context.js";
import { fromOpenAIRealtimeUsage } from "../../src/usage/index.js";
import { LlmCall, type CallOutcome } from "../_shared/call.js";
import { reportSafely, sinkOrNone } from "../_shared/guard.js";
import type { InterceptorEnv, UsageSink } from "../_shared/types.js";

export type Listener = (event: unknown) => void;

interface RealtimeResponse {
  id?: unknown;
  status?: unknown;
  status_details?: { type?: unknown; reason?: unknown; error?: { type?: unknown; message?: unknown } } | null;
  usage?: unknown;
}

interface SessionConfig {
  id?: unknown;
  model?: unknown;
  /** Beta sessions. */
  input_audio_transcription?: { model?: unknown } | null;
  /** GA sessions. */
  audio?: { input?: { transcription?: { model?: unknown } | null } } | null;
}

/**
 * What one Realtime session knows (served model, session id, open responses) and how each server event becomes
 * an event in the ledger. Separate from the listener wiring in realtime.ts so each step stays small.
 */
export class RealtimeSession {
  readonly #env: InterceptorEnv;
  readonly #client: unknown;
  readonly #attribution = getContext();
  readonly #provider: string;
  readonly #deployment: string | null;
  readonly #requestedModel: string | null;
  #model: string | null;
  #sessionId: string | null = null;
  #transcriptionModel: string | null = null;
  readonly #open = new Map<string, LlmCall>();

  constructor(url: URL | null, client: unknown, env: InterceptorEnv) {
    this.#env = env;
    this.#client = client;
    const azure =
      !!url && /\.(openai\.azure|cognitiveservices\.azure|services\.ai\.azure)\.com$/.test(url.hostname);
    this.#provider = azure ? "azure" : "openai";
    this.#deployment = azure ? (url?.searchParams.get("deployment") ?? null) : null;
    this.#requestedModel = url?.searchParams.get("model") ?? url?.searchParams.get("deployment") ?? null;
    this.#model = this.#requestedModel; // then the served snapshot from session.created
  }

  /** Server event name → handler; every handler is guarded (it never throws into the SDK's emitter). */
  listeners(): [string, Listener][] {
    return [
      ["session.created", this.#guard("session", (e) => this.#onSession(e))],
      ["session.updated", this.#guard("session", (e) => this.#onSession(e))],
      ["response.created", this.#guard("created", (e, sink) => this.#onCreated(e, sink))],
      ["response.done", this.#guard("done", (e, sink) => this.#onDone(e, sink))],
      [
        "conversation.item.input_audio_transcription.completed",
        this.#guard("transcription", (e, sink) => this.#onTranscribed(e, sink)),
      ],
    ];
  }

  /** The socket closed: responses still open are aborted (usage missing). */
  close(): void {
    for (const call of this.#open.values())
      call.abandon({ model: this.#model, metadata: { realtimeClosed: true } });
    this.#open.clear();
  }

  #guard(stage: string, fn: (event: unknown, sink: UsageSink) => void): Listener {
    return (event) => {
      const sink = sinkOrNone(this.#env);
      if (!sink) return;
      try {
        fn(event, sink);
      } catch (e) {
        reportSafely(sink, `openai:realtime:${stage}`, e);
      }
    };
  }

  #start(sink: UsageSink, operation: string, requestedModel: string | null): LlmCall {
    const metadata = this.#sessionId ? { realtimeSession: this.#sessionId } : {};
    const start = { provider: this.#provider, operation, requestedModel, streamed: true, metadata };
    return runWithAttribution(this.#attribution, () => new LlmCall(sink, { ...start, client: this.#client }));
  }

  #onSession(event: unknown): void {
    const session = (event as { session?: SessionConfig } | null)?.session;
    if (typeof session?.model === "string" && session.model) this.#model = session.model;
    if (typeof session?.id === "string") this.#sessionId = session.id;
    const transcription =
      session?.audio?.input?.transcription?.model ?? session?.input_audio_transcription?.model;
    if (typeof transcription === "string" && transcription) this.#transcriptionModel = transcription;
  }

  #onCreated(event: unknown, sink: UsageSink): void {
    const id = responseOf(event)?.id;
    if (typeof id === "string" && !this.#open.has(id))
      this.#open.set(id, this.#start(sink, "realtime", this.#requestedModel));
  }

  #onDone(event: unknown, sink: UsageSink): void {
    const response = responseOf(event);
    if (!response) return;
    const id = typeof response.id === "string" ? response.id : null;
    const call = (id && this.#open.get(id)) || this.#start(sink, "realtime", this.#requestedModel);
    if (id) this.#open.delete(id);
    const outcome: CallOutcome = {
      model: this.#deployment ?? this.#model,
      usage: response.usage ? fromOpenAIRealtimeUsage(response.usage) : null,
      requestId: id,
      ...(this.#sessionId ? { metadata: { realtimeSession: this.#sessionId } } : {}),
    };
    endResponse(call, response, outcome);
  }

  /**
   * Input audio transcription is billed separately, at the transcription model's rates: one event per
   * transcribed item (`operation: "realtime_transcription"`). Token usage is priced; a `duration` usage
   * (whisper-1, per minute) is kept as `metadata.transcriptionSeconds` with usage missing, never as $0.
   */
  #onTranscribed(event: unknown, sink: UsageSink): void {
    const e = event as { item_id?: unknown; usage?: { type?: unknown; seconds?: unknown } } | null;
    const call = this.#start(sink, "realtime_transcription", this.#transcriptionModel);
    const tokens = !!e?.usage && e.usage.type !== "duration";
    call.succeed({
      model: this.#transcriptionModel,
      usage: tokens ? fromOpenAIRealtimeUsage(e!.usage) : null,
      requestId: typeof e?.item_id === "string" ? e.item_id : null,
      metadata: {
        ...(this.#sessionId ? { realtimeSession: this.#sessionId } : {}),
        ...(typeof e?.usage?.seconds === "number" ? { transcriptionSeconds: e.usage.seconds } : {}),
      },
    });
  }
}

function endResponse(call: LlmCall, response: RealtimeResponse, outcome: CallOutcome): void {
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
}

function responseOf(event: unknown): RealtimeResponse | null {
  const r = (event as { response?: unknown } | null)?.response;
  return r && typeof r === "object" ? (r as RealtimeResponse) : null;
}
