import type { LlmCall } from "../_shared/call.js";
import type { TapHooks } from "../_shared/stream-tap.js";
import type { InterceptorEnv, UsageSink } from "../_shared/types.js";
import { failCall } from "../_google/finish.js";
import { guarded, reportSafely } from "../_google/guard.js";
import { observeGeneratorInPlace } from "../_google/observe-generator.js";
import { geminiStreamHooks } from "../_google/stream-hooks.js";
import { callScope, type CallScope } from "./afc.js";
import { startGenAiCall, type GenAiTarget } from "./call-start.js";
import { openScope, startRequestCall } from "./unary.js";

type Method = (this: unknown, ...args: unknown[]) => unknown;

/**
 * `Models.generateContentStream` resolves to an async generator. The SDK's promise and generator are returned
 * as they are; the generator is observed in place. With AFC the SDK makes its HTTP requests lazily while the
 * caller iterates, so every step re-enters the call's scope and the per-request wrapper records each request.
 */
export function wrapPublicStream(env: InterceptorEnv, target: GenAiTarget) {
  return (original: Method): Method =>
    function (this: unknown, ...args: unknown[]): unknown {
      const sink = env.sink();
      if (!sink) return original.apply(this, args);
      let call: LlmCall;
      let scope: CallScope;
      try {
        call = startGenAiCall(sink, target, args[0], "generate_content", true);
        scope = openScope(target, args[0], true);
      } catch (err) {
        reportSafely(sink, "gemini.start", err);
        return original.apply(this, args);
      }
      const own = (): boolean => scope.requests === 0;
      let result: unknown;
      try {
        result = callScope.run(scope, () => original.apply(this, args));
      } catch (err) {
        guarded(sink, "gemini.fail", () => own() && failCall(call, err, undefined, scope.signal));
        throw err;
      }
      // Registered before the caller can await: the generator is observed before the caller first sees it.
      guarded(sink, "gemini.observe", () => {
        void (result as Promise<unknown>).then(
          (generator) =>
            guarded(sink, "gemini.stream-start", () => {
              const hooks = onlyIf(own, geminiStreamHooks(sink, call, scope.signal));
              if (!observeGeneratorInPlace(generator, hooks, (step) => callScope.run(scope, step))) {
                unobservable(env, sink, call);
              }
            }),
          (err: unknown) =>
            guarded(sink, "gemini.fail", () => own() && failCall(call, err, undefined, scope.signal)),
        );
      });
      return result;
    };
}

/** `Models.generateContentStreamInternal`: one streamed HTTP request. Records only inside an AFC scope. */
export function wrapRequestStream(env: InterceptorEnv) {
  return (original: Method): Method =>
    function (this: unknown, ...args: unknown[]): unknown {
      const scope = callScope.getStore();
      const sink = env.sink();
      if (!sink || !scope?.perRequest) return original.apply(this, args);
      let call: LlmCall;
      try {
        call = startRequestCall(sink, scope, true);
      } catch (err) {
        reportSafely(sink, "gemini.start", err);
        return original.apply(this, args);
      }
      let result: unknown;
      try {
        result = original.apply(this, args);
      } catch (err) {
        guarded(sink, "gemini.fail", () => failCall(call, err, undefined, scope.signal));
        throw err;
      }
      guarded(sink, "gemini.observe", () => {
        void (result as Promise<unknown>).then(
          (generator) =>
            guarded(sink, "gemini.stream-start", () => {
              if (!observeGeneratorInPlace(generator, geminiStreamHooks(sink, call, scope.signal)))
                unobservable(env, sink, call);
            }),
          (err: unknown) => guarded(sink, "gemini.fail", () => failCall(call, err, undefined, scope.signal)),
        );
      });
      return result;
    };
}

/** The public stream records only when no per-request event was made (no AFC, or the SDK changed). */
function onlyIf(condition: () => boolean, hooks: TapHooks<unknown>): TapHooks<unknown> {
  return {
    onItem: hooks.onItem,
    onEnd: (end, error) => {
      if (condition()) hooks.onEnd(end, error);
    },
    onHookError: hooks.onHookError,
  };
}

function unobservable(env: InterceptorEnv, sink: UsageSink, call: LlmCall): void {
  env.warnOnce(
    "@google/genai:stream-shape",
    "@google/genai: generateContentStream did not return an async generator; usage is not read",
  );
  guarded(sink, "gemini.succeed", () => call.succeed({ usage: null }));
}
