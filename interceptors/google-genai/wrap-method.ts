import type { LlmCall } from "../_shared/call.js";
import type { InterceptorEnv, UsageSink } from "../_shared/types.js";
import { failCall } from "../_google/finish.js";
import { runTracked, type Method, type TrackedCall } from "../_google/tracked-call.js";
import { callScope, type CallScope } from "./afc.js";
import { cancellableArgs } from "./cancel-on-break.js";
import { gatedGenerate } from "./gate.js";
import { openScope, startGenAiCall, startRequestCall, type GenAiTarget } from "./call-start.js";

/** One tracked `Models` call, as its result handler sees it. */
export interface StartedCall {
  readonly sink: UsageSink;
  readonly call: LlmCall;
  readonly scope: CallScope;
  /** True while this call is the one to record: no per-request (AFC) event was made inside its scope. */
  readonly own: () => boolean;
  /** Cancel the HTTP request (the consumer stopped reading a stream); a no-op unless `cancelOnBreak`. */
  readonly cancel: () => void;
}

export interface ResultHandling {
  readonly streamed: boolean;
  readonly resolvedStage: TrackedCall["resolvedStage"];
  /** Give the request an abort signal of ours, so `StartedCall.cancel()` can stop it. */
  readonly cancelOnBreak?: boolean;
  /** The SDK's promise resolved (a response, or a generator to observe). */
  resolved(value: unknown, started: StartedCall): void;
}

/**
 * A public `Models` method: one logical call. It opens an AFC scope; when AFC may loop, the per-request
 * wrapper records each HTTP request and this call records only if none was seen (a failure before any request).
 */
export function wrapPublicMethod(
  env: InterceptorEnv,
  target: GenAiTarget,
  operation: string,
  handling: ResultHandling,
) {
  return (original: Method): Method =>
    function (this: unknown, ...args: unknown[]): unknown {
      const sink = env.sink();
      if (!sink) return original.apply(this, args);
      return runTracked(
        sink,
        () => {
          const call = startGenAiCall(sink, target, args[0], operation, handling.streamed);
          // Only content generation can loop over tool calls (embeddings never do).
          const scope = openScope(target, args[0], operation === "generate_content");
          const { args: callArgs, cancel } = handling.cancelOnBreak
            ? cancellableArgs(args)
            : { args, cancel: () => {} };
          const started: StartedCall = { sink, call, scope, own: () => scope.requests === 0, cancel };
          return {
            run: () =>
              callScope.run(scope, () =>
                gatedGenerate(call, scope.provider, operation, callArgs[0], (params) =>
                  original.apply(this, [params, ...callArgs.slice(1)]),
                ),
              ),
            resolvedStage: handling.resolvedStage,
            resolved: (value) => handling.resolved(value, started),
            failed: (err) => started.own() && failCall(call, err, undefined, scope.signal),
          };
        },
        () => original.apply(this, args),
      );
    };
}

/** A per-request `Models` method (one HTTP request). Records only inside an AFC scope that asked for it. */
export function wrapRequestMethod(env: InterceptorEnv, handling: ResultHandling) {
  return (original: Method): Method =>
    function (this: unknown, ...args: unknown[]): unknown {
      const scope = callScope.getStore();
      const sink = env.sink();
      if (!sink || !scope?.perRequest) return original.apply(this, args);
      return runTracked(
        sink,
        () => {
          const call = startRequestCall(sink, scope, handling.streamed);
          const started: StartedCall = { sink, call, scope, own: () => true, cancel: () => {} };
          return {
            run: () => original.apply(this, args),
            resolvedStage: handling.resolvedStage,
            resolved: (value) => handling.resolved(value, started),
            failed: (err) => failCall(call, err, undefined, scope.signal),
          };
        },
        () => original.apply(this, args),
      );
    };
}
