import { reportSafely } from "../_shared/guard.js";
import { LlmCall } from "../_shared/call.js";
import { sinkOrNone } from "../_shared/guard.js";
import type { InterceptorEnv, UsageSink } from "../_shared/types.js";
import { preCallGate } from "../_shared/pre-call.js";
import { gatedResource } from "./gate.js";
import { isAPIPromiseLike, observeAPIPromise, replaceResponsePromise } from "./api-promise.js";
import type { Operation } from "./operations.js";
import type { CallPlan } from "./plan.js";
import { watchUnawaited } from "./unawaited.js";
import { capturingSink, isBackgroundRequest, type BackgroundCall } from "./background.js";
import { identifyClient, type ClientLike } from "./provider.js";
import {
  isStreamOptionsRejection,
  rememberRejection,
  shouldInject,
  withUsageRequested,
} from "./stream-options.js";

type Method = (this: unknown, ...args: unknown[]) => unknown;

/**
 * The replacement for one resource's `create`. Returns exactly what the SDK returned (its `APIPromise`),
 * never mutates the caller's params, and routes every failure of our own code to the sink.
 */
export function trackedCreate(op: Operation, env: InterceptorEnv): (original: Method) => Method {
  return (original) =>
    function create(this: unknown, ...args: unknown[]): unknown {
      const sink = sinkOrNone(env);
      if (!sink) return original.apply(this, args);

      let plan: CallPlan;
      let callArgs = args;
      let target: unknown;
      try {
        plan = startCall(this, args, op, env, sink);
        if (plan.injected) callArgs = [withUsageRequested(args[0] as object), ...args.slice(1)];
      } catch (e) {
        reportSafely(sink, "openai:start", e);
        return original.apply(this, args);
      }
      const gate = preCallGate();
      try {
        if (gate) target = gatedResource(this, gate, plan, args[0]);
      } catch (e) {
        reportSafely(sink, "openai:gate", e);
      }

      let result: unknown;
      try {
        result = original.apply(target ?? this, callArgs);
      } catch (err) {
        plan.call.fail(err);
        throw err;
      }

      try {
        if (isAPIPromiseLike(result)) {
          if (plan.injected) retryWithoutStreamOptions(result, plan, () => original.apply(this, args));
          if (plan.streamed) plan.unawaited = watchUnawaited(result, plan, args[1]);
          observeAPIPromise(result, plan);
        } else {
          env.warnOnce(
            `openai:${op.name}:shape`,
            `tokenledger: openai ${op.name}.create() returned an unexpected object; calls are not tracked`,
          );
          plan.call.succeed({});
        }
      } catch (e) {
        reportSafely(sink, "openai:observe-start", e);
      }
      return result;
    };
}

function startCall(
  resource: unknown,
  args: readonly unknown[],
  op: Operation,
  env: InterceptorEnv,
  sink: UsageSink,
): CallPlan {
  const options = env.options;
  const params = args[0] as { model?: unknown; stream?: unknown } | null | undefined;
  const client = (resource as { _client?: ClientLike } | null)?._client;
  const identity = identifyClient(client, options);
  const model = typeof params?.model === "string" ? params.model : null;
  const requestedModel = identity.azure ? (identity.deployment ?? model) : model;
  const streamed = params?.stream === true;
  const injected = op.streamOptions && shouldInject(params, identity.baseURL, options.openaiStreamUsage);
  const background: BackgroundCall | undefined =
    isBackgroundRequest(op.name, params) && !streamed ? { resource, options } : undefined;
  const call = new LlmCall(background ? capturingSink(sink, background) : sink, {
    provider: identity.provider,
    operation: op.name,
    requestedModel,
    streamed,
    client,
  });
  return {
    op,
    call,
    sink,
    identity,
    requestedModel,
    azureDeployments: options.azureDeployments,
    streamed,
    injected,
    ...(background ? { background } : {}),
  };
}

/** A server that rejects `stream_options` gets the caller's untouched request once, and never the option again. */
function retryWithoutStreamOptions(
  p: Parameters<typeof replaceResponsePromise>[0],
  plan: CallPlan,
  resend: () => unknown,
): void {
  const first = p.responsePromise;
  const settled = first.then(undefined, (err: unknown) => {
    if (!isStreamOptionsRejection(err)) throw err;
    rememberRejection(plan.identity.baseURL);
    plan.injected = false;
    const retry = resend();
    if (!isAPIPromiseLike(retry)) throw err;
    return retry.responsePromise;
  });
  replaceResponsePromise(p, settled);
}
