import { LlmCall } from "../_shared/call.js";
import type { InterceptorEnv, UsageSink } from "../_shared/types.js";
import { observeApiPromise, type ResponseHooks } from "./api-promise-hooks.js";
import { guarded, reportSafely, sinkOrNone } from "../_shared/guard.js";
import { asRecord, outcomeOfMessage, requestIdOf, stringOrNull } from "./message-usage.js";
import { isSdkStream, observeStream } from "./stream-observer.js";
import { preCallGate } from "../_shared/pre-call.js";
import { signalOf, unreadEnder, watchUnread } from "../_shared/unread.js";
import { gatedMessages } from "./gate.js";

type Method = (this: unknown, ...args: unknown[]) => unknown;

/**
 * The replacement for `Messages.prototype.create` (and `beta.messages`). `stream()`, `parse()`, tool runners and
 * threads all call `create`, so this one place sees every billed Messages request exactly once. The SDK's own
 * return value (its `APIPromise`) is handed back unchanged.
 */
export function wrapCreate(original: Method, env: InterceptorEnv): Method {
  return function create(this: unknown, ...args: unknown[]): unknown {
    const sink = sinkOrNone(env);
    if (!sink) return original.apply(this, args);

    let call: LlmCall | undefined;
    const params = asRecord(args[0]);
    const streamed = params.stream === true;
    try {
      call = new LlmCall(sink, {
        provider: providerOf(this),
        operation: "messages",
        requestedModel: stringOrNull(params.model),
        streamed,
        client: asRecord(this)._client,
      });
    } catch (err) {
      reportSafely(sink, "anthropic.start", err);
    }

    const gate = preCallGate();
    let target: unknown;
    if (gate)
      guarded(
        sink,
        "anthropic.gate",
        () => (target = gatedMessages(this, gate, call, providerOf(this), args[0])),
      );
    let result: unknown;
    try {
      result = original.apply(target ?? this, args);
    } catch (err) {
      const failed = call;
      if (failed) guarded(sink, "anthropic.sync-error", () => failed.fail(err));
      throw err;
    }
    const started = call;
    if (started)
      guarded(sink, "anthropic.observe", () => observeResult(result, started, sink, env, streamed, args[1]));
    return result;
  };
}

function observeResult(
  result: unknown,
  call: LlmCall,
  sink: UsageSink,
  env: InterceptorEnv,
  streamed: boolean,
  options: unknown,
): void {
  // A streamed create() never awaited is still sent and billed: watched until the SDK answers (unread.ts).
  const unawaited =
    streamed && result !== null && typeof result === "object"
      ? watchUnread(result, signalOf(options), unreadEnder(call))
      : undefined;
  const hooks: ResponseHooks = {
    onError: (err) => (unawaited?.started(), call.fail(err)),
    onParsed: (data, response) => {
      unawaited?.started();
      const requestId = requestIdOf(response);
      if (isSdkStream(data)) observeStream(data, call, sink, requestId);
      else call.succeed(outcomeOfMessage(data, requestId));
    },
    onRawResponse: (response) => {
      unawaited?.started();
      const requestId = requestIdOf(response);
      const clone = streamed ? undefined : cloneOf(response);
      // The caller reads the body; a JSON answer is read from a copy. Raw event streams are not parsed (usage missing).
      if (!clone) return call.succeed({ requestId });
      clone.json().then(
        (data) =>
          guarded(sink, "anthropic.raw-response", () => call.succeed(outcomeOfMessage(data, requestId))),
        () => guarded(sink, "anthropic.raw-response", () => call.succeed({ requestId })),
      );
    },
  };
  if (observeApiPromise(result, hooks, sink)) return;

  // An SDK build without the APIPromise fields we hook: observe from the side. This starts the SDK's lazy
  // parse at once, so a caller of `asResponse()` alone could find the body already read; hence the warning.
  env.warnOnce(
    "anthropic:api-promise-shape",
    "tokenledger: @anthropic-ai/sdk returned a promise of an unknown shape; usage is observed through .then()",
  );
  const thenable = result as PromiseLike<unknown> | undefined;
  if (typeof thenable?.then !== "function") {
    call.succeed(outcomeOfMessage(result, null));
    return;
  }
  thenable.then(
    (data) => guarded(sink, "anthropic.parsed", () => hooks.onParsed(data, undefined)),
    (err: unknown) => guarded(sink, "anthropic.response-error", () => hooks.onError(err)),
  );
}

function cloneOf(response: unknown): { json(): Promise<unknown> } | undefined {
  const r = response as { clone?: () => { json(): Promise<unknown> }; bodyUsed?: boolean } | null;
  return typeof r?.clone === "function" && r.bodyUsed !== true ? r.clone() : undefined;
}

/** Claude through `@anthropic-ai/bedrock-sdk` / `vertex-sdk` uses these same classes; label the provider by client. */
function providerOf(resource: unknown): string {
  try {
    const client = asRecord(resource)._client;
    let proto: unknown = client === null || typeof client !== "object" ? null : Object.getPrototypeOf(client);
    for (let depth = 0; proto && depth < 5; depth++) {
      const name = (proto as { constructor?: { name?: unknown } }).constructor?.name;
      if (name === "AnthropicBedrock") return "bedrock";
      if (name === "AnthropicVertex") return "vertex";
      proto = Object.getPrototypeOf(proto);
    }
  } catch {
    /* a label only */
  }
  return "anthropic";
}
