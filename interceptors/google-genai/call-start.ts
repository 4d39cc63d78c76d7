import { LlmCall } from "../_shared/call.js";
import type { UsageSink } from "../_shared/types.js";
import { stripModelsPrefix } from "../_google/outcome.js";

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
