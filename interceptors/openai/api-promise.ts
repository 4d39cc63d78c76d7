import { reportSafely } from "../_shared/guard.js";
import { recordPending } from "./background.js";
import { instrumentStream } from "./stream.js";
import { tapRawStreamResponse } from "./raw-sse.js";
import { openaiChatMeta, openaiResponsesMeta } from "../_shared/response-meta.js";
import { requestIdFromHeaders, toOutcome, type CallPlan } from "./plan.js";

/* eslint-disable @typescript-eslint/no-unsafe-function-type -- SDK internals are typed structurally */

/** The parts of the SDK's `APIPromise` we use. Present in openai 4.x–7.x; feature-detected per call. */
interface APIPromiseLike {
  responsePromise: Promise<unknown>;
  parseResponse: Function;
  asResponse?: () => Promise<unknown>;
  withResponse?: Function;
  _thenUnwrap?: Function;
}

export function isAPIPromiseLike(value: unknown): value is APIPromiseLike {
  const p = value as Partial<APIPromiseLike> | null;
  return (
    !!p &&
    typeof p === "object" &&
    typeof (p.responsePromise as Promise<unknown> | undefined)?.then === "function" &&
    typeof p.parseResponse === "function"
  );
}

/**
 * Observe a call without changing what the caller gets and without starting the SDK's lazy body parse early:
 * - data: our hook runs inside the SDK's own parse step (`parseResponse`, and `_thenUnwrap` where openai 7
 *   binds the parser in a closure), so `asResponse()` still hands the caller an unread body;
 * - errors (HTTP 4xx/5xx after the SDK's retries, connection errors, aborts): a side branch on the response
 *   promise; the caller still gets the same error object from `await`;
 * - `asResponse()` only: the JSON body is read from a clone, the caller's body stays untouched.
 */
export function observeAPIPromise(p: APIPromiseLike, plan: CallPlan): void {
  const state: ObserveState = { parseStarted: false, observed: false, tapped: undefined };
  const onData = (data: unknown, props: unknown): void => {
    if (state.observed) return;
    state.observed = true;
    plan.unawaited?.started();
    try {
      handleData(data, plan, requestIdOf(data, props));
    } catch (e) {
      reportSafely(plan.sink, "openai:observe", e);
    }
  };
  hookParse(p, plan, state, onData);
  hookThenUnwrap(p, plan, state, onData);
  hookAsResponse(p, plan, state);
  // Side branch: handled here, so it never becomes an unhandled rejection of ours.
  p.responsePromise.then(undefined, (err: unknown) => (plan.unawaited?.started(), plan.call.fail(err)));
}

/** What the three hooks of one promise share (split so each hook stays small). */
interface ObserveState {
  parseStarted: boolean;
  observed: boolean;
  /**
   * A raw body we tapped for an `asResponse()` caller is the one the SDK must read too if it parses later
   * (the untracked SDK also hands both the same body).
   */
  tapped: { readonly from: unknown; readonly to: unknown } | undefined;
}

type OnData = (data: unknown, props: unknown) => void;

function hookParse(p: APIPromiseLike, plan: CallPlan, state: ObserveState, onData: OnData): void {
  const parseResponse = p.parseResponse;
  p.parseResponse = function trackedParse(this: unknown, ...args: unknown[]): unknown {
    state.parseStarted = true;
    plan.unawaited?.started();
    const tapped = state.tapped;
    const callArgs = tapped ? args.map((a) => withTappedResponse(a, tapped)) : args;
    const parsed = Promise.resolve(parseResponse.apply(this, callArgs) as unknown);
    return parsed.then(
      (data) => (onData(data, findProps(args)), data),
      (err: unknown) => {
        plan.call.fail(err);
        throw err;
      },
    );
  };
}

/** openai 7 binds the parser into a `_thenUnwrap` closure: observe inside the transform it is given. */
function hookThenUnwrap(p: APIPromiseLike, plan: CallPlan, state: ObserveState, onData: OnData): void {
  if (typeof p._thenUnwrap !== "function") return;
  const thenUnwrap = p._thenUnwrap;
  p._thenUnwrap = function trackedThenUnwrap(
    this: unknown,
    transform: Function,
    ...rest: unknown[]
  ): unknown {
    state.parseStarted = true;
    plan.unawaited?.started();
    const observing = (data: unknown, props: unknown): unknown => (
      onData(data, props),
      transform(data, props)
    );
    return thenUnwrap.call(this, observing, ...rest);
  };
}

function hookAsResponse(p: APIPromiseLike, plan: CallPlan, state: ObserveState): void {
  if (typeof p.asResponse !== "function") return;
  const asResponse = p.asResponse;
  let raw: Promise<unknown> | undefined;
  p.asResponse = function trackedAsResponse(this: unknown): Promise<unknown> {
    plan.unawaited?.started();
    // One tapped body per call: asking twice hands back the same Response, as the SDK does.
    raw ??= asResponse.call(this).then((response) => {
      if (state.parseStarted || state.observed) return response;
      state.observed = true;
      const out = observeRawResponse(response, plan);
      if (out !== response) state.tapped = { from: response, to: out };
      return out;
    });
    return raw;
  };
}

/**
 * Point the promise at a different response (the retry without `stream_options`). openai 7 binds the original
 * request into own-property `withResponse` / `_thenUnwrap` closures, so those are rebound as well.
 */
export function replaceResponsePromise(p: APIPromiseLike, next: Promise<unknown>): void {
  p.responsePromise = next;
  if (Object.prototype.hasOwnProperty.call(p, "withResponse")) {
    p.withResponse = async function withResponse() {
      const data: unknown = await p;
      const { response } = (await next) as { response: { headers: { get(name: string): string | null } } };
      return { data, response, request_id: response.headers.get("x-request-id") };
    };
  }
  if (Object.prototype.hasOwnProperty.call(p, "_thenUnwrap") && typeof p._thenUnwrap === "function") {
    const thenUnwrap = p._thenUnwrap;
    p._thenUnwrap = function rebound(this: unknown, ...args: unknown[]): unknown {
      const derived = thenUnwrap.apply(this, args) as unknown;
      if (isAPIPromiseLike(derived)) replaceResponsePromise(derived, next);
      return derived;
    };
  }
}

function handleData(data: unknown, plan: CallPlan, requestId: string | null): void {
  if (plan.streamed) {
    instrumentStream(data, plan, requestId);
    return;
  }
  const body = data as { model?: unknown; usage?: unknown; service_tier?: unknown; status?: unknown } | null;
  if (plan.background && body && typeof body === "object" && recordPending(plan, body, requestId)) return;
  const status = body && typeof body === "object" ? body.status : undefined;
  plan.call.succeed(
    toOutcome(plan, {
      model: body?.model,
      usage: body?.usage,
      serviceTier: body?.service_tier,
      requestId,
      meta: plan.op.name === "responses" ? openaiResponsesMeta(body) : openaiChatMeta(body),
      ...(plan.op.name === "responses" && (status === "incomplete" || status === "failed")
        ? { metadata: { responseStatus: status } }
        : {}),
    }),
  );
}

function observeRawResponse(response: unknown, plan: CallPlan): unknown {
  const requestId = requestIdFromHeaders(response);
  const r = response as {
    headers?: { get?: (n: string) => string | null };
    clone?: () => { json(): Promise<unknown> };
    body?: unknown;
  } | null;
  const type = r?.headers?.get?.("content-type") ?? "";
  if (plan.streamed && r?.body && typeof Response === "function" && response instanceof Response) {
    try {
      return tapRawStreamResponse(response, plan, requestId);
    } catch (e) {
      reportSafely(plan.sink, "openai:raw-sse", e);
      plan.call.succeed(toOutcome(plan, { requestId }));
      return response;
    }
  }
  if (plan.streamed || !type.includes("json") || typeof r?.clone !== "function") {
    plan.call.succeed(toOutcome(plan, { requestId }));
    return response;
  }
  r.clone()
    .json()
    .then(
      (body) => handleData(body, plan, requestId),
      () => plan.call.succeed(toOutcome(plan, { requestId })),
    )
    .catch((e: unknown) => reportSafely(plan.sink, "openai:raw-response", e));
  return response;
}

function withTappedResponse(arg: unknown, tapped: { readonly from: unknown; readonly to: unknown }): unknown {
  const a = arg as { response?: unknown } | null;
  if (!a || typeof a !== "object" || a.response !== tapped.from) return arg;
  return { ...a, response: tapped.to };
}

function findProps(args: readonly unknown[]): unknown {
  for (let i = args.length - 1; i >= 0; i--) {
    const a = args[i] as { response?: unknown } | null;
    if (a && typeof a === "object" && "response" in a) return a;
  }
  return undefined;
}

function requestIdOf(data: unknown, props: unknown): string | null {
  const fromHeaders = requestIdFromHeaders((props as { response?: unknown } | undefined)?.response);
  if (fromHeaders) return fromHeaders;
  const id = (data as { _request_id?: unknown } | null)?._request_id;
  return typeof id === "string" ? id : null;
}
