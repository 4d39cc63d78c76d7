import type { LlmCall } from "../_shared/call.js";
import type { TapHooks } from "../_shared/stream-tap.js";
import type { UsageSink } from "../_shared/types.js";
import { failCall } from "./finish.js";
import { reportSafely } from "../_shared/guard.js";
import { GeminiStreamState } from "./stream-state.js";

/**
 * Hooks that record one Gemini stream exactly once: completed (last `usageMetadata`), stopped by the consumer
 * (`break` → aborted, partial usage), or failed mid-stream (error or abort, partial usage).
 */
export function geminiStreamHooks(
  sink: UsageSink,
  call: LlmCall,
  signal: unknown,
  state: GeminiStreamState = new GeminiStreamState(),
): TapHooks<unknown> {
  return {
    onItem(chunk) {
      if (state.observe(chunk)) call.firstToken();
    },
    onEnd(end, error) {
      if (end === "done") call.succeed(state.outcome());
      else if (end === "return") call.abandon(state.outcome());
      else failCall(call, error, state.outcome(), signal);
    },
    onHookError(stage, error) {
      reportSafely(sink, `gemini.${stage}`, error);
    },
  };
}
