import { getContext } from "../../src/core/context.js";
import type { LlmCall } from "./call.js";
import type { Admission, PreCallGate, PreCallRequest } from "./pre-call.js";

/**
 * The one pre-call mechanism every provider gate uses: ask the gate about the call (with the attribution in
 * force now), and once admitted hand the admission to the call, which records its metadata and settles its
 * reservation when the call ends. A refusal is returned as the rejected promise: the provider gate makes the
 * SDK reject with it before any request is built.
 */
export function admitCall(
  gate: PreCallGate,
  call: LlmCall | undefined,
  request: Omit<PreCallRequest, "attribution">,
): Promise<Admission> {
  const admission = gate.admit({ ...request, attribution: getContext() });
  admission.then(
    (a) => call?.admitted(a),
    () => {},
  );
  return admission;
}

type RequestFn = (this: unknown, options: unknown, ...rest: unknown[]) => unknown;

/**
 * Stainless-generated SDKs (openai, @anthropic-ai/sdk): a view of `resource` whose client's `request()` gets an
 * options promise that waits for the admission. The SDK awaits those options before it builds or sends
 * anything, so a refusal rejects the SDK's own `APIPromise` (same class, same helpers) with the gate's error and
 * no request is sent; a downgrade rewrites `body.model` in a copy of the options. Returns `resource` itself when
 * it does not have that shape.
 */
export function gatedStainlessResource(resource: unknown, admission: Promise<Admission>): unknown {
  const client = (resource as { _client?: { request?: RequestFn } } | null)?._client;
  if (!client || typeof client.request !== "function") return resource;
  const request = client.request;
  const view = Object.create(client as object, {
    request: {
      value(options: unknown, ...rest: unknown[]): unknown {
        const gated = Promise.all([admission, options]).then(([a, o]) =>
          a.model ? withBodyModel(o, a.model) : o,
        );
        return request.call(client, gated, ...rest);
      },
    },
  }) as object;
  return Object.create(resource as object, { _client: { value: view } });
}

function withBodyModel(options: unknown, model: string): unknown {
  const o = options as { body?: unknown } | null;
  if (!o || typeof o.body !== "object" || o.body === null) return options;
  return { ...o, body: withField(o.body, "model", model) };
}

/** A shallow copy of `value` with one field replaced (the caller's object is never written). */
export function withField<T>(value: T, key: string, next: unknown): T {
  return { ...(value as object), [key]: next } as T;
}

/** The first finite non-negative number among `values` (a request's output cap under its SDK's field names). */
export function firstCount(...values: unknown[]): number | undefined {
  return values.find((v): v is number => typeof v === "number" && Number.isFinite(v) && v >= 0);
}

/**
 * The estimator's view of a gated call's request: an embedding has no output tokens, so it reserves its input
 * only (not the default output cap, which would refuse cheap embeddings under a small budget).
 */
export function gatedBody(operation: string, view: unknown): unknown {
  return operation === "embeddings" ? withField(view, "max_output_tokens", 0) : view;
}
