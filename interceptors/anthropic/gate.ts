import type { LlmCall } from "../_shared/call.js";
import { admitCall, gatedStainlessResource } from "../_shared/gate.js";
import type { PreCallGate } from "../_shared/pre-call.js";

/**
 * The pre-call gate on `messages.create` (and so on `stream()`, `parse()` and the tool runners, which all call
 * it). The body already has the estimator's fields (`messages`, `system`, `tools`, `max_tokens`). A refusal
 * rejects the SDK's own `APIPromise` with `BudgetExceededError`; `messages.stream()` emits it as an
 * `AnthropicError` whose `cause` is the `BudgetExceededError` (the SDK wraps foreign errors that way).
 * Returns `resource` unchanged when the SDK build does not have the expected client shape.
 */
export function gatedMessages(
  resource: unknown,
  gate: PreCallGate,
  call: LlmCall | undefined,
  provider: string,
  body: unknown,
): unknown {
  const client = (resource as { _client?: { request?: unknown } } | null)?._client;
  if (!client || typeof client.request !== "function") return resource;
  const model = (body as { model?: unknown } | null)?.model;
  const admission = admitCall(gate, call, {
    provider,
    operation: "messages",
    model: typeof model === "string" ? model : null,
    body,
  });
  return gatedStainlessResource(resource, admission);
}
