import { LlmCall } from "../_shared/call.js";
import type { UsageSink } from "../_shared/types.js";
import { getContext, runWithAttribution } from "../../src/core/context.js";
import { stripModelsPrefix } from "../_google/outcome.js";
import { mayLoopAutomatically, type CallScope } from "./afc.js";

export interface GenAiTarget {
  /** `gemini` (Gemini API) or `vertex` (Vertex AI), read per call. */
  readonly provider: () => string;
  /** Whether the SDK's per-request methods are patched too (needed to count AFC rounds). */
  readonly perRequestPatched: boolean;
}

export function requestedModelOf(params: unknown): string | null {
  return stripModelsPrefix((params as { model?: unknown } | null)?.model);
}

export function signalOf(params: unknown): unknown {
  return (params as { config?: { abortSignal?: unknown } } | null)?.config?.abortSignal;
}

export function startGenAiCall(
  sink: UsageSink,
  target: GenAiTarget,
  params: unknown,
  operation: string,
  streamed: boolean,
): LlmCall {
  return new LlmCall(sink, {
    provider: target.provider(),
    operation,
    requestedModel: requestedModelOf(params),
    streamed,
  });
}

export function openScope(target: GenAiTarget, params: unknown, canLoop: boolean): CallScope {
  const afc = canLoop && mayLoopAutomatically(params);
  return {
    perRequest: afc && target.perRequestPatched,
    afc,
    provider: target.provider(),
    requestedModel: requestedModelOf(params),
    attribution: getContext(),
    signal: signalOf(params),
    requests: 0,
  };
}

/** One AFC round: attributed to the scope the logical call started in, even if the round starts later. */
export function startRequestCall(sink: UsageSink, scope: CallScope, streamed: boolean): LlmCall {
  scope.requests++;
  return runWithAttribution(
    scope.attribution,
    () =>
      new LlmCall(sink, {
        provider: scope.provider,
        operation: "generate_content",
        requestedModel: scope.requestedModel,
        streamed,
        metadata: { afcRequest: scope.requests },
      }),
  );
}
