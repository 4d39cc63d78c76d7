import type { LlmCall } from "../_shared/call.js";
import type { InterceptorEnv, UsageSink } from "../_shared/types.js";
import { failCall } from "../_google/finish.js";
import { runTracked, type Method, type TrackedCall } from "../_google/tracked-call.js";
import { gatedLegacy } from "./gate.js";
import { legacySignal, startLegacyCall } from "./call-start.js";

/** One tracked legacy call, as its result handler sees it. */
export interface StartedLegacyCall {
  readonly sink: UsageSink;
  readonly call: LlmCall;
  /** The caller's AbortSignal in force for this call. */
  readonly signal: unknown;
}

export interface LegacyResultHandling {
  readonly streamed: boolean;
  readonly resolvedStage: TrackedCall["resolvedStage"];
  /** The SDK's promise resolved (`{ response }`, or `{ stream, response }`). */
  resolved(value: unknown, started: StartedLegacyCall): void;
}

/** A `GenerativeModel` / `ChatSession` method returning a promise: observed on a side channel, returned untouched. */
export function wrapLegacyMethod(env: InterceptorEnv, operation: string, handling: LegacyResultHandling) {
  return (original: Method): Method =>
    function (this: unknown, ...args: unknown[]): unknown {
      const sink = env.sink();
      if (!sink) return original.apply(this, args);
      const untracked = (): unknown => original.apply(this, args);
      return runTracked(
        sink,
        () => {
          const call = startLegacyCall(sink, this, operation, handling.streamed);
          const started: StartedLegacyCall = { sink, call, signal: legacySignal(this, args[1]) };
          return {
            run: () => gatedLegacy(this, call, operation, args[0], (target) => original.apply(target, args)),
            resolvedStage: handling.resolvedStage,
            resolved: (value) => handling.resolved(value, started),
            failed: (err) => failCall(call, err, undefined, started.signal),
          };
        },
        untracked,
      );
    };
}
