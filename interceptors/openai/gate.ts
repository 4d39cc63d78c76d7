import type { PreCallGate } from "../_shared/pre-call.js";
import { admitCall, gatedStainlessResource } from "../_shared/gate.js";
import type { CallPlan } from "./plan.js";

/**
 * The pre-call gate on the openai SDK without changing what `create()` returns: the SDK builds its own
 * `APIPromise` through a view of the resource whose requests wait for the gate (see `gatedStainlessResource`).
 * The request body already uses the estimator's field names (`messages`, `input`, `max_tokens` …).
 */
export function gatedResource(resource: unknown, gate: PreCallGate, plan: CallPlan, body: unknown): unknown {
  const client = (resource as { _client?: { request?: unknown } } | null)?._client;
  if (!client || typeof client.request !== "function") return resource;
  const admission = admitCall(gate, plan.call, {
    provider: plan.identity.provider,
    operation: plan.op.name,
    model: plan.requestedModel,
    body,
  });
  return gatedStainlessResource(resource, admission);
}
