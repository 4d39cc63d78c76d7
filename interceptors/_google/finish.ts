import { isAbort, type CallOutcome, type LlmCall } from "../_shared/call.js";

/**
 * End a call that threw. The Google SDKs do not surface aborts as `AbortError`: the legacy SDK throws
 * `GoogleGenerativeAIAbortError`, `@google/genai` wraps a fetch abort in a plain `Error`. The caller's own
 * signal tells the truth, so an aborted signal (or either abort class) records an `aborted` call.
 */
export function failCall(
  call: LlmCall,
  error: unknown,
  partial: CallOutcome | undefined,
  signal?: unknown,
): void {
  if (isAbort(error) || isGoogleAbortError(error) || isAbortedSignal(signal)) call.abandon(partial);
  else call.fail(error, partial);
}

function isGoogleAbortError(error: unknown): boolean {
  const name = (error as { constructor?: { name?: unknown } } | null)?.constructor?.name;
  return name === "GoogleGenerativeAIAbortError";
}

function isAbortedSignal(signal: unknown): boolean {
  return signal !== null && typeof signal === "object" && (signal as { aborted?: unknown }).aborted === true;
}
