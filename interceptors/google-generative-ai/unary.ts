import type { CallOutcome, LlmCall } from "../_shared/call.js";
import type { InterceptorEnv } from "../_shared/types.js";
import { failCall } from "../_google/finish.js";
import { guarded, reportSafely } from "../_google/guard.js";
import { geminiOutcome } from "../_google/outcome.js";
import { legacySignal, startLegacyCall } from "./call-start.js";

type Method = (this: unknown, ...args: unknown[]) => unknown;

/** `generateContent` / `sendMessage` resolve to `{ response }`. */
export const generateOutcome = (value: unknown): CallOutcome =>
  geminiOutcome((value as { response?: unknown } | null)?.response);

/** The Gemini API reports no token usage for embeddings: record usage `missing` (unpriced), never invented counts. */
export const embedOutcome = (): CallOutcome => ({ usage: null });

/**
 * A non-streaming legacy method. The SDK's own promise is returned untouched and observed on a side channel
 * (a plain Promise: nothing lazy is started early, errors reach the caller unchanged).
 */
export function wrapUnary(
  env: InterceptorEnv,
  operation: string,
  toOutcome: (value: unknown) => CallOutcome,
) {
  return (original: Method): Method =>
    function (this: unknown, ...args: unknown[]): unknown {
      const sink = env.sink();
      if (!sink) return original.apply(this, args);
      let call: LlmCall;
      try {
        call = startLegacyCall(sink, this, operation, false);
      } catch (err) {
        reportSafely(sink, "gemini.start", err);
        return original.apply(this, args);
      }
      const signal = legacySignal(this, args[1]);
      let result: unknown;
      try {
        result = original.apply(this, args);
      } catch (err) {
        guarded(sink, "gemini.fail", () => failCall(call, err, undefined, signal));
        throw err;
      }
      guarded(sink, "gemini.observe", () => {
        void (result as Promise<unknown>).then(
          (value) => guarded(sink, "gemini.succeed", () => call.succeed(toOutcome(value))),
          (err: unknown) => guarded(sink, "gemini.fail", () => failCall(call, err, undefined, signal)),
        );
      });
      return result;
    };
}
