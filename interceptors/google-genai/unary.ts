import type { CallOutcome } from "../_shared/call.js";
import type { InterceptorEnv } from "../_shared/types.js";
import { fromCounts } from "../../src/usage/bedrock.js";
import { geminiOutcome } from "../_google/outcome.js";
import type { GenAiTarget } from "./call-start.js";
import { wrapPublicMethod, wrapRequestMethod } from "./wrap-method.js";

type ToOutcome = (value: unknown, provider: string) => CallOutcome;

export const generateOutcome: ToOutcome = (value) => geminiOutcome(value);

/**
 * Embeddings: the Gemini API reports no token usage (usage `missing`, never invented). Vertex AI reports a
 * token count per embedding (`statistics.tokenCount`), which is summed as input.
 */
export const embedOutcome: ToOutcome = (value, provider) => {
  const v = (value ?? {}) as { embeddings?: unknown; metadata?: { billableCharacterCount?: unknown } };
  const billable = v.metadata?.billableCharacterCount;
  const metadata = typeof billable === "number" ? { billableCharacterCount: billable } : undefined;
  if (provider !== "vertex" || !Array.isArray(v.embeddings)) return { usage: null, metadata };
  let tokens = 0;
  let counted = false;
  for (const e of v.embeddings) {
    const n = (e as { statistics?: { tokenCount?: unknown } } | null)?.statistics?.tokenCount;
    if (typeof n === "number") {
      tokens += n;
      counted = true;
    }
  }
  return { usage: counted ? fromCounts(tokens, 0) : null, metadata };
};

/** A public `Models` method that resolves to one response (`generateContent`, `embedContent`). */
export function wrapPublicUnary(
  env: InterceptorEnv,
  target: GenAiTarget,
  operation: string,
  toOutcome: ToOutcome,
) {
  return wrapPublicMethod(env, target, operation, {
    streamed: false,
    resolvedStage: "gemini.succeed",
    resolved: (value, { call, scope, own }) => own() && call.succeed(toOutcome(value, scope.provider)),
  });
}

/** `Models.generateContentInternal`: one HTTP request. */
export function wrapRequestUnary(env: InterceptorEnv) {
  return wrapRequestMethod(env, {
    streamed: false,
    resolvedStage: "gemini.succeed",
    resolved: (value, { call }) => call.succeed(geminiOutcome(value)),
  });
}
