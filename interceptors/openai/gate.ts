import { getContext } from "../../src/core/context.js";
import type { Admission, PreCallGate } from "../_shared/pre-call.js";
import type { CallPlan } from "./plan.js";

type RequestFn = (this: unknown, options: unknown, ...rest: unknown[]) => unknown;

/**
 * The pre-call gate on the openai SDK without changing what `create()` returns: the SDK builds its own
 * `APIPromise` as usual, but through a view of the client whose `request()` hands the SDK an options promise
 * that waits for the gate. The SDK awaits those options before it builds or sends anything, so a refusal
 * rejects the `APIPromise` with the gate's error and no request is sent; an admission may rewrite `body.model`.
 */
export function gatedResource(resource: unknown, gate: PreCallGate, plan: CallPlan, body: unknown): unknown {
  const client = (resource as { _client?: { request?: RequestFn } } | null)?._client;
  if (!client || typeof client.request !== "function") return resource;
  const request = client.request;
  const admission: Promise<Admission> = gate.admit({
    provider: plan.identity.provider,
    operation: plan.op.name,
    model: plan.requestedModel,
    body,
    attribution: getContext(),
  });
  admission.then(
    (a) => plan.call.admitted(a),
    () => {},
  );
  const view = Object.create(client as object, {
    request: {
      value(options: unknown, ...rest: unknown[]): unknown {
        const gated = Promise.all([admission, options]).then(([a, o]) =>
          a.model ? withModel(o, a.model) : o,
        );
        return request.call(client, gated, ...rest);
      },
    },
  }) as object;
  return Object.create(resource as object, { _client: { value: view } });
}

function withModel(options: unknown, model: string): unknown {
  const o = options as { body?: unknown } | null;
  if (!o || typeof o.body !== "object" || o.body === null) return options;
  return { ...o, body: { ...(o.body as object), model } };
}
