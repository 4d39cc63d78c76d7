import type { LlmCall } from "../_shared/call.js";
import { admitCall, firstCount, gatedBody, withField } from "../_shared/gate.js";
import { preCallGate } from "../_shared/pre-call.js";
import { requestedModelOf } from "./call-start.js";

interface GenerateParams {
  readonly contents?: unknown;
  readonly config?: {
    readonly systemInstruction?: unknown;
    readonly tools?: unknown;
    readonly maxOutputTokens?: unknown;
  };
}

/** `generateContent` params in the estimator's field names (`src/budgets/estimate.ts`). */
export function estimatorView(params: unknown): unknown {
  const p = (params ?? {}) as GenerateParams;
  return {
    input: p.contents,
    system: p.config?.systemInstruction,
    tools: p.config?.tools,
    max_output_tokens: firstCount(p.config?.maxOutputTokens),
  };
}

/** Embeddings are gated too: they cost money under the same budgets (they were the one ungated Google call). */
const GATED = new Set(["generate_content", "embeddings"]);

/**
 * `models.generateContent` / `generateContentStream` behind the pre-call gate: `send` (the SDK method) runs only
 * once the gate admitted the call, with the downgraded model in a copy of the params; a refusal is the promise's
 * rejection (`BudgetExceededError`) and no request is made. One reservation per logical call: the automatic
 * function-calling rounds it makes are settled together. Other operations, or no gate installed: `send` at once.
 */
export function gatedGenerate(
  call: LlmCall,
  provider: string,
  operation: string,
  params: unknown,
  send: (params: unknown) => unknown,
): unknown {
  const gate = preCallGate();
  if (!gate || !GATED.has(operation)) return send(params);
  const admission = admitCall(gate, call, {
    provider,
    operation,
    model: requestedModelOf(params),
    body: gatedBody(operation, estimatorView(params)),
  });
  return admission.then((a) => send(a.model ? withField(params, "model", a.model) : params));
}
