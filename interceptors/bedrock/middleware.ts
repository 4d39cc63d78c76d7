import { LlmCall, type CallOutcome } from "../_shared/call.js";
import { bedrockConverseMeta } from "../_shared/response-meta.js";
import { guarded, reportSafely } from "../_shared/guard.js";
import { tapAsyncIterable } from "../_shared/stream-tap.js";
import type { InterceptorEnv, UsageSink } from "../_shared/types.js";
import {
  abortSignalOf,
  commandInfo,
  modelIds,
  type BedrockCommandInfo,
  type MiddlewareContextLike,
  type ModelIds,
} from "./commands.js";
import { gatedArgs } from "./gate.js";
import { ConverseStreamObserver } from "./converse-stream.js";
import { abortError, errorForRecord, IncompleteStreamError, requestIdOfError } from "./errors.js";
import { invokeModelUsage } from "./invoke-body.js";
import { InvokeStreamObserver } from "./invoke-stream.js";
import { BidiStreamObserver } from "./bidi-stream.js";
import { fromBedrockConverseUsage } from "../../src/usage/index.js";

export interface HandlerArgs {
  readonly input?: unknown;
}
export interface HandlerOutput {
  readonly output?: unknown;
  /** The raw HttpResponse (lower-case headers), present at every step of the stack. */
  readonly response?: unknown;
}
export type Handler = (args: HandlerArgs) => Promise<HandlerOutput>;
export type Middleware = (next: Handler, context: MiddlewareContextLike) => Handler;

/** Shared by every client one patch installed into; `active` goes false on restore (cached handlers too). */
export interface PatchState {
  readonly env: InterceptorEnv;
  active: boolean;
}

/**
 * One middleware at the `initialize` step: outside the retry middleware, so a call retried after a 429/500
 * is one event (latency includes the retries), and it sees both the parsed `output` and the raw `response`.
 */
export function recordingMiddleware(state: PatchState): Middleware {
  return (next, context) => {
    const info = commandInfo(context);
    if (!info) return next;
    return async (args) => {
      const sink = state.active ? state.env.sink() : undefined;
      if (!sink) return next(args);
      let call: LlmCall | undefined;
      let ids: ModelIds = { model: null, requestedModel: null };
      try {
        ids = modelIds(args.input, state.env.options.bedrockModelMap);
        call = new LlmCall(sink, {
          provider: "bedrock",
          operation: info.operation,
          requestedModel: ids.requestedModel,
          streamed: info.streamed,
        });
      } catch (err) {
        reportSafely(sink, "bedrock-start", err);
      }
      if (!call) return next(args);
      let result: HandlerOutput;
      try {
        // A bidirectional session's input is a live event stream: nothing to estimate before it starts.
        const gated = info.kind === "bidi-stream" ? { args, ids } : await gatedArgs(args, call, info, ids);
        ids = gated.ids;
        result = await next(gated.args);
      } catch (err) {
        guarded(sink, "bedrock-error", () =>
          call.fail(errorForRecord(err), { ...ids, requestId: requestIdOfError(err) }),
        );
        throw err;
      }
      try {
        observe(info, call, sink, ids, result, abortSignalOf(context));
      } catch (err) {
        reportSafely(sink, "bedrock-observe", err);
        guarded(sink, "bedrock-observe", () =>
          call.succeed({ ...ids, requestId: requestIdOf(result.output) }),
        );
      }
      return result;
    };
  };
}

function observe(
  info: BedrockCommandInfo,
  call: LlmCall,
  sink: UsageSink,
  ids: ModelIds,
  result: HandlerOutput,
  signal: AbortSignal | undefined,
): void {
  const output = result.output as Record<string, unknown> | undefined;
  const base: CallOutcome = { ...ids, requestId: requestIdOf(output) };
  switch (info.kind) {
    case "converse": {
      const usage = output?.usage ? fromBedrockConverseUsage(output.usage) : undefined;
      call.succeed({
        ...base,
        usage,
        serviceTier: tierOf(output?.serviceTier),
        ...bedrockConverseMeta(output),
      });
      return;
    }
    case "invoke": {
      const usage = invokeModelUsage(
        ids.model ?? "",
        output?.body,
        (result.response as { headers?: unknown } | undefined)?.headers,
      );
      call.succeed({ ...base, usage, serviceTier: tierOf(output?.serviceTier) });
      return;
    }
    default: {
      const key = info.kind === "converse-stream" ? "stream" : "body";
      tapStream(output, key, call, sink, signal, streamObservation(info.kind, output, base, ids.model ?? ""));
    }
  }
}

/** How each streamed operation's events become usage, and what marks its end as complete. */
function streamObservation(
  kind: "converse-stream" | "invoke-stream" | "bidi-stream",
  output: Record<string, unknown> | undefined,
  base: CallOutcome,
  familyModel: string,
): StreamObservation {
  switch (kind) {
    case "converse-stream": {
      const observer = new ConverseStreamObserver();
      return {
        observe: (e) => observer.observe(e),
        outcome: () => ({
          ...base,
          usage: observer.usage,
          serviceTier: observer.serviceTier ?? tierOf(output?.serviceTier),
          ...bedrockConverseMeta({ stopReason: observer.stopReason }),
        }),
        complete: () => observer.complete,
        finalEvent: "the metadata event",
      };
    }
    case "invoke-stream": {
      const observer = new InvokeStreamObserver(familyModel);
      return {
        observe: (e) => observer.observe(e),
        outcome: () => ({ ...base, usage: observer.usage(), serviceTier: tierOf(output?.serviceTier) }),
        complete: () => observer.complete,
        finalEvent: "amazon-bedrock-invocationMetrics",
      };
    }
    case "bidi-stream": {
      const observer = new BidiStreamObserver();
      return {
        observe: (e) => observer.observe(e),
        outcome: () => ({ ...base, usage: observer.usage() }),
        complete: () => true, // the session ends when the application ends its input; no final marker
        finalEvent: "usageEvent",
      };
    }
  }
}

interface StreamObservation {
  /** True when the item is model output. */
  observe(item: unknown): boolean;
  outcome(): CallOutcome;
  complete(): boolean;
  finalEvent: string;
}

/**
 * Replace `output[key]` with an async iterable that re-yields the SDK's events untouched, in the caller's
 * rhythm (nothing is read ahead), and records once however the stream ends.
 */
function tapStream(
  output: Record<string, unknown> | undefined,
  key: "stream" | "body",
  call: LlmCall,
  sink: UsageSink,
  signal: AbortSignal | undefined,
  obs: StreamObservation,
): void {
  const source = output?.[key] as AsyncIterable<unknown> | undefined;
  if (!output || !source || typeof source[Symbol.asyncIterator] !== "function") {
    call.succeed(obs.outcome());
    return;
  }
  output[key] = tapAsyncIterable(source, {
    onItem(item) {
      if (obs.observe(item)) call.firstToken();
    },
    onEnd(end, error) {
      const outcome = obs.outcome();
      if (end === "return") call.abandon(outcome);
      else if (end === "error")
        call.fail(
          errorForRecord(error),
          outcome.requestId ? outcome : { ...outcome, requestId: requestIdOfError(error) },
        );
      else if (signal?.aborted) call.fail(abortError(signal), outcome);
      else if (obs.complete()) call.succeed(outcome);
      else call.fail(new IncompleteStreamError(obs.finalEvent), outcome);
    },
    onHookError(stage, err) {
      reportSafely(sink, `bedrock-${stage}`, err);
    },
  });
}

function requestIdOf(output: unknown): string | undefined {
  const id = (output as { $metadata?: { requestId?: unknown } } | undefined)?.$metadata?.requestId;
  return typeof id === "string" ? id : undefined;
}

/** Converse: `{ type: "flex" }`; InvokeModel: the `X-Amzn-Bedrock-Service-Tier` header as a string. */
function tierOf(tier: unknown): string | undefined {
  if (typeof tier === "string") return tier;
  const type = (tier as { type?: unknown } | null | undefined)?.type;
  return typeof type === "string" ? type : undefined;
}
