import type { CallOutcome, LlmCall } from "../_shared/call.js";
import type { StreamEnd, TapHooks } from "../_shared/stream-tap.js";
import type { InterceptorEnv, UsageSink } from "../_shared/types.js";
import { guarded, reportSafely } from "../_shared/guard.js";
import { endUnread, watchUnread, type UnreadWatch } from "../_shared/unread.js";
import { failCall } from "../_google/finish.js";
import { observeGeneratorInPlace } from "../_google/observe-generator.js";
import { geminiOutcome } from "../_google/outcome.js";
import { GeminiStreamState } from "../_google/stream-state.js";
import { wrapLegacyMethod } from "./wrap-method.js";

/**
 * `generateContentStream` / `sendMessageStream` resolve to `{ stream, response }`. The SDK tees one HTTP body
 * into both and reads the `response` branch eagerly, so `response` settles with the final usage whether the
 * caller iterates `stream`, awaits `response`, or both. We return the SDK's own promise and objects; the
 * `stream` generator is observed in place (for model version, time to first token and partial usage).
 */
export function wrapStream(env: InterceptorEnv, operation: string) {
  return wrapLegacyMethod(env, operation, {
    streamed: true,
    resolvedStage: "gemini.stream-start",
    resolved: (value, { sink, call, signal }) => new LegacyStreamRecorder(sink, call, signal).attach(value),
  });
}

type Settled =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/**
 * Records once, when `response` has settled AND the caller is not in the middle of reading `stream` (so the
 * model version seen in the chunks is not lost). A `break` does not cancel the legacy SDK's HTTP body: the
 * full response still arrives and is billed, so it is recorded `aborted` with the provider's final usage.
 * A stream never iterated needs nothing more (the SDK reads `response` itself); only a process that exits before
 * `response` settles is caught here, by the shared exit watch (unread.ts).
 */
class LegacyStreamRecorder {
  readonly #sink: UsageSink;
  readonly #call: LlmCall;
  readonly #signal: unknown;
  readonly #state = new GeminiStreamState();
  #response: Settled | undefined;
  #started = false;
  #end: StreamEnd | undefined;
  #exitWatch: UnreadWatch | undefined;

  constructor(sink: UsageSink, call: LlmCall, signal: unknown) {
    this.#sink = sink;
    this.#call = call;
    this.#signal = signal;
  }

  attach(value: unknown): void {
    const v = (value ?? {}) as { stream?: unknown; response?: unknown };
    // No GC watch (release loses nothing) and no signal (the SDK rejects `response` on abort): exit only.
    this.#exitWatch = watchUnread(null, undefined, () => this.#atExit());
    observeGeneratorInPlace(v.stream, this.#hooks(), (step) => {
      this.#started = true;
      return step();
    });
    const response = v.response as Promise<unknown> | undefined;
    if (response && typeof response.then === "function") {
      void response.then(
        (resolved) => this.#settle({ ok: true, value: resolved }),
        (error: unknown) => this.#settle({ ok: false, error }),
      );
    } else {
      this.#settle({ ok: true, value: undefined });
    }
  }

  #hooks(): TapHooks<unknown> {
    return {
      onItem: (chunk) => {
        if (this.#state.observe(chunk)) this.#call.firstToken();
      },
      onEnd: (end) => {
        this.#end = end;
        this.#finish();
      },
      onHookError: (stage, error) => reportSafely(this.#sink, `gemini.${stage}`, error),
    };
  }

  #settle(settled: Settled): void {
    this.#response = settled;
    guarded(this.#sink, "gemini.stream-end", () => this.#finish());
  }

  /** The process exits first: never iterated → `streamUnread: "exit"`; mid-way → aborted with the usage seen. */
  #atExit(): void {
    if (this.#call.finished) return;
    if (this.#started) this.#call.abandon(this.#state.outcome());
    else endUnread(this.#call, "exit", this.#state.outcome());
  }

  #finish(): void {
    this.#record();
    if (this.#call.finished) this.#exitWatch?.started();
  }

  #record(): void {
    const response = this.#response;
    if (this.#call.finished || !response) return;
    if (this.#started && this.#end === undefined) return;
    const seen = this.#state.outcome();
    if (!response.ok) {
      failCall(this.#call, response.error, seen, this.#signal);
      return;
    }
    const final = geminiOutcome(response.value);
    const outcome: CallOutcome = {
      ...final,
      usage: final.usage ?? seen.usage,
      // The aggregated response drops `modelVersion` and `responseId`; the chunks carry them.
      model: final.model ?? seen.model,
      requestId: final.requestId ?? seen.requestId,
      responseId: final.responseId ?? seen.responseId ?? null,
      finishReasons: final.finishReasons ?? seen.finishReasons ?? null,
    };
    if (this.#end === "return" || this.#end === "error") {
      this.#call.abandon({ ...outcome, ...(final.usage ? { usageSource: "provider" as const } : {}) });
    } else {
      this.#call.succeed(outcome);
    }
  }
}
