import { LlmCall, type CallOutcome } from "../_shared/call.js";
import type { InterceptorEnv } from "../_shared/types.js";
import { getContext, runWithAttribution } from "../../src/core/context.js";
import { fromCounts } from "../../src/usage/bedrock.js";
import { failCall } from "../_google/finish.js";
import { guarded, reportSafely } from "../_google/guard.js";
import { geminiOutcome } from "../_google/outcome.js";
import { callScope, mayLoopAutomatically, type CallScope } from "./afc.js";
import { requestedModelOf, signalOf, startGenAiCall, type GenAiTarget } from "./call-start.js";

type Method = (this: unknown, ...args: unknown[]) => unknown;
type ToOutcome = (value: unknown, provider: string) => CallOutcome;

export const generateOutcome: ToOutcome = (value) => geminiOutcome(value);

/**
 * Embeddings: the Gemini API reports no token usage (usage `missing`, never invented). Vertex AI reports a
 * token count per embedding (`statistics.tokenCount`), which is summed as input.
 */
export const embedOutcome: ToOutcome = (value, provider) => {
  const v = (value ?? {}) as { embeddings?: unknown; metadata?: { billableCharacterCount?: unknown } };
  const billable = v.metadata?.billableCharacterCount;
  const metadata = typeof billable === "number" ? { billableCharacterCount: billable } : undefined;
  if (provider !== "vertex" || !Array.isArray(v.embeddings)) return { usage: null, metadata };
  let tokens = 0;
  let counted = false;
  for (const e of v.embeddings) {
    const n = (e as { statistics?: { tokenCount?: unknown } } | null)?.statistics?.tokenCount;
    if (typeof n === "number") {
      tokens += n;
      counted = true;
    }
  }
  return { usage: counted ? fromCounts(tokens, 0) : null, metadata };
};

/**
 * A public `Models` method that resolves to one response (`generateContent`, `embedContent`). The SDK's own
 * promise is returned and observed on a side channel. When AFC may loop, the per-request wrapper below
 * records each HTTP request and this one records only if none was seen (a failure before any request).
 */
export function wrapPublicUnary(
  env: InterceptorEnv,
  target: GenAiTarget,
  operation: string,
  toOutcome: ToOutcome,
) {
  return (original: Method): Method =>
    function (this: unknown, ...args: unknown[]): unknown {
      const sink = env.sink();
      if (!sink) return original.apply(this, args);
      let call: LlmCall;
      let scope: CallScope;
      try {
        call = startGenAiCall(sink, target, args[0], operation, false);
        scope = openScope(target, args[0], operation === "generate_content");
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
      guarded(sink, "gemini.observe", () => {
        void (result as Promise<unknown>).then(
          (value) =>
            guarded(sink, "gemini.succeed", () => own() && call.succeed(toOutcome(value, scope.provider))),
          (err: unknown) =>
            guarded(sink, "gemini.fail", () => own() && failCall(call, err, undefined, scope.signal)),
        );
      });
      return result;
    };
}

/** `Models.generateContentInternal`: one HTTP request. Records only inside an AFC scope. */
export function wrapRequestUnary(env: InterceptorEnv) {
  return (original: Method): Method =>
    function (this: unknown, ...args: unknown[]): unknown {
      const scope = callScope.getStore();
      const sink = env.sink();
      if (!sink || !scope?.perRequest) return original.apply(this, args);
      let call: LlmCall;
      try {
        call = startRequestCall(sink, scope, false);
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
          (value) => guarded(sink, "gemini.succeed", () => call.succeed(geminiOutcome(value))),
          (err: unknown) => guarded(sink, "gemini.fail", () => failCall(call, err, undefined, scope.signal)),
        );
      });
      return result;
    };
}

export function openScope(target: GenAiTarget, params: unknown, canLoop: boolean): CallScope {
  return {
    perRequest: canLoop && target.perRequestPatched && mayLoopAutomatically(params),
    provider: target.provider(),
    requestedModel: requestedModelOf(params),
    attribution: getContext(),
    signal: signalOf(params),
    requests: 0,
  };
}

/** One AFC round: attributed to the scope the logical call started in, even if the round starts later. */
export function startRequestCall(
  sink: Parameters<typeof startGenAiCall>[0],
  scope: CallScope,
  streamed: boolean,
): LlmCall {
  scope.requests++;
  return runWithAttribution(
    scope.attribution,
    () =>
      new LlmCall(sink, {
        provider: scope.provider,
        operation: "generate_content",
        requestedModel: scope.requestedModel,
        streamed,
        metadata: { afcRequest: scope.requests },
      }),
  );
}
