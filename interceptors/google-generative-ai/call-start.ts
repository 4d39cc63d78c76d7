import { LlmCall } from "../_shared/call.js";
import type { UsageSink } from "../_shared/types.js";
import { stripModelsPrefix } from "../_google/outcome.js";

/** Legacy-SDK objects keep the model as `models/<name>` and per-object request options. */
export interface LegacyTarget {
  readonly model?: unknown;
  readonly _requestOptions?: { readonly signal?: unknown } | null;
}

export function startLegacyCall(
  sink: UsageSink,
  target: unknown,
  operation: string,
  streamed: boolean,
): LlmCall {
  return new LlmCall(sink, {
    provider: "gemini",
    operation,
    requestedModel: stripModelsPrefix((target as LegacyTarget | null)?.model),
    streamed,
    client: target,
  });
}

/** The AbortSignal in force: per-call `requestOptions` (last argument) win over the model's own options. */
export function legacySignal(target: unknown, requestOptions: unknown): unknown {
  const perCall = (requestOptions as { signal?: unknown } | null | undefined)?.signal;
  return perCall ?? (target as LegacyTarget | null)?._requestOptions?.signal;
}
