import type { LlmCall } from "../_shared/call.js";
import { guarded } from "../_shared/guard.js";
import type { TapHooks } from "../_shared/stream-tap.js";
import type { InterceptorEnv, UsageSink } from "../_shared/types.js";
import { observeGeneratorInPlace } from "../_google/observe-generator.js";
import { unreadEnder, watchUnread, type UnreadReason } from "../_shared/unread.js";
import { geminiStreamHooks } from "../_google/stream-hooks.js";
import { callScope } from "./afc.js";
import type { GenAiTarget } from "./call-start.js";
import { wrapPublicMethod, wrapRequestMethod } from "./wrap-method.js";

/**
 * `Models.generateContentStream` resolves to an async generator. The SDK's promise and generator are returned
 * as they are; the generator is observed in place. With AFC the SDK makes its HTTP requests lazily while the
 * caller iterates, so every step re-enters the call's scope and the per-request wrapper records each request.
 */
export function wrapPublicStream(env: InterceptorEnv, target: GenAiTarget) {
  return wrapPublicMethod(env, target, "generate_content", {
    streamed: true,
    resolvedStage: "gemini.stream-start",
    cancelOnBreak: true,
    resolved: (generator, { sink, call, scope, own, cancel }) => {
      const hooks = cancelOnReturn(cancel, onlyIf(own, geminiStreamHooks(sink, call, scope.signal)));
      // Never iterated: recorded (usage missing) when the caller's signal aborts, it is released, or at exit.
      // Not with AFC: the SDK then sends its first request only when iteration starts (nothing billed before).
      const watch =
        !scope.afc && generator !== null && typeof generator === "object"
          ? watchUnread(
              generator,
              scope.signal instanceof AbortSignal ? scope.signal : undefined,
              unreadThenCancel(call, cancel),
            )
          : { started: () => {} };
      const step = <R>(run: () => R): R => (watch.started(), callScope.run(scope, run));
      if (!observeGeneratorInPlace(generator, hooks, step)) {
        watch.started();
        unobservable(env, sink, call);
      }
    },
  });
}

/** Record the unread stream; once released nobody can read it, so stop the model generating (and billing) too. */
function unreadThenCancel(call: LlmCall, cancel: () => void): (reason: UnreadReason) => void {
  const end = unreadEnder(call);
  return (reason) => {
    end(reason);
    if (reason === "released") cancel();
  };
}

/** `Models.generateContentStreamInternal`: one streamed HTTP request. */
export function wrapRequestStream(env: InterceptorEnv) {
  return wrapRequestMethod(env, {
    streamed: true,
    resolvedStage: "gemini.stream-start",
    resolved: (generator, { sink, call, scope }) => {
      if (!observeGeneratorInPlace(generator, geminiStreamHooks(sink, call, scope.signal)))
        unobservable(env, sink, call);
    },
  });
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

/** `break`: stop the HTTP body too (after the event is recorded as aborted with the usage seen so far). */
function cancelOnReturn(cancel: () => void, hooks: TapHooks<unknown>): TapHooks<unknown> {
  return {
    onItem: hooks.onItem,
    onEnd: (end, error) => {
      hooks.onEnd(end, error);
      if (end === "return") cancel();
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
