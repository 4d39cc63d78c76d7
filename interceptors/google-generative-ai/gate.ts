import type { LlmCall } from "../_shared/call.js";
import { admitCall, firstCount, gatedBody } from "../_shared/gate.js";
import { preCallGate } from "../_shared/pre-call.js";
import { stripModelsPrefix } from "../_google/outcome.js";

/** `embedContent` / `batchEmbedContents` are gated like generation (same budgets, input-only estimate). */
const GATED = new Set(["generate_content", "embeddings"]);

/** What a `GenerativeModel` or `ChatSession` adds to each request (the legacy SDK keeps it on the object). */
interface LegacyObject {
  readonly model?: unknown;
  readonly generationConfig?: { readonly maxOutputTokens?: unknown };
  readonly systemInstruction?: unknown;
  readonly tools?: unknown;
  /** ChatSession: its start params and the history sent along with every message. */
  readonly params?: {
    readonly generationConfig?: { readonly maxOutputTokens?: unknown };
    readonly systemInstruction?: unknown;
    readonly tools?: unknown;
  };
  readonly _history?: unknown;
  _sendPromise?: unknown;
}

/** A request (string, parts, or `{ contents, generationConfig }`) plus the object's defaults, in the estimator's fields. */
export function estimatorView(target: unknown, request: unknown): unknown {
  const t = (target ?? {}) as LegacyObject;
  const r = (typeof request === "object" && request !== null ? request : {}) as {
    generationConfig?: { maxOutputTokens?: unknown };
  };
  return {
    input: [t._history, request],
    system: t.systemInstruction ?? t.params?.systemInstruction,
    tools: t.tools ?? t.params?.tools,
    max_output_tokens: firstCount(
      r.generationConfig?.maxOutputTokens,
      t.generationConfig?.maxOutputTokens,
      t.params?.generationConfig?.maxOutputTokens,
    ),
  };
}

/**
 * A legacy content-generation method behind the pre-call gate. The model lives on the object, not in the request,
 * so a downgrade runs the method on a view of the object whose `model` is the mapped one (the object itself is
 * never written); a ChatSession view forwards `_sendPromise` to the session, so its message queue stays one.
 * A refusal is the promise's rejection (`BudgetExceededError`) and no request is made.
 */
export function gatedLegacy(
  target: unknown,
  call: LlmCall,
  operation: string,
  request: unknown,
  send: (target: unknown) => unknown,
): unknown {
  const gate = preCallGate();
  if (!gate || !GATED.has(operation) || target === null || typeof target !== "object") return send(target);
  const admission = admitCall(gate, call, {
    provider: "gemini",
    operation,
    model: stripModelsPrefix((target as LegacyObject).model),
    body: gatedBody(operation, estimatorView(target, request)),
  });
  return admission.then((a) => send(a.model ? withModel(target, a.model) : target));
}

function withModel(target: object, model: string): object {
  const full = model.includes("/") ? model : `models/${model}`;
  const props: PropertyDescriptorMap = { model: { value: full, enumerable: true } };
  if ("_sendPromise" in target) {
    const session = target as LegacyObject;
    props._sendPromise = {
      get: () => session._sendPromise,
      set: (v: unknown) => (session._sendPromise = v),
    };
  }
  return Object.create(target, props) as object;
}
