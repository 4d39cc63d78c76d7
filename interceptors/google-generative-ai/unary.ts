import type { CallOutcome } from "../_shared/call.js";
import type { InterceptorEnv } from "../_shared/types.js";
import { geminiOutcome } from "../_google/outcome.js";
import { wrapLegacyMethod } from "./wrap-method.js";

/** `generateContent` / `sendMessage` resolve to `{ response }`. */
export const generateOutcome = (value: unknown): CallOutcome =>
  geminiOutcome((value as { response?: unknown } | null)?.response);

/** The Gemini API reports no token usage for embeddings: record usage `missing` (unpriced), never invented counts. */
export const embedOutcome = (): CallOutcome => ({ usage: null });

/** A non-streaming legacy method (`generateContent`, `sendMessage`, the embedding methods). */
export function wrapUnary(
  env: InterceptorEnv,
  operation: string,
  toOutcome: (value: unknown) => CallOutcome,
) {
  return wrapLegacyMethod(env, operation, {
    streamed: false,
    resolvedStage: "gemini.succeed",
    resolved: (value, { call }) => call.succeed(toOutcome(value)),
  });
}
