import type { Pricer } from "../core/pricer.js";
import { EMPTY_USAGE, type NormalizedUsage } from "../core/buckets.js";
import type { UsageEventInput } from "../core/event.js";

/**
 * The documented reservation estimator. Input tokens: the request's prompt fields (`messages`, `input`,
 * `instructions`, `system`, `tools`, `prompt`) serialised as JSON, one token per 3 characters, rounded up: an
 * upper bound for BPE tokenizers (about 4 characters per token in English). Output tokens: the request's
 * `max_tokens` / `max_completion_tokens` / `max_output_tokens`, else `outputCap`.
 */
export function estimateTokens(body: unknown, outputCap: number): { input: number; output: number } {
  const b = (body ?? {}) as Record<string, unknown>;
  let chars = 0;
  for (const k of ["messages", "input", "instructions", "system", "tools", "prompt"])
    if (b[k] !== undefined) chars += JSON.stringify(b[k]).length;
  const max = [b.max_tokens, b.max_completion_tokens, b.max_output_tokens].find(
    (v): v is number => typeof v === "number" && Number.isFinite(v) && v >= 0,
  );
  return { input: Math.ceil(chars / 3), output: max ?? outputCap };
}

/** USD decimal string for the estimate, or null when the model has no price. */
export function estimateCost(
  pricer: Pricer,
  provider: string,
  model: string,
  tokens: { input: number; output: number },
  at: Date,
): string | null {
  const usage: NormalizedUsage = {
    ...EMPTY_USAGE,
    uncachedInputTokens: tokens.input,
    outputTokens: tokens.output,
    tierBasisTokens: tokens.input,
  };
  return pricer.price({ provider, model, requestedModel: model, usage, serviceTier: null, batch: false, at })
    .costUsd;
}

/** The recorded call's cost (null: no usage or no price); the same pricer as the estimate. */
export function actualCost(pricer: Pricer, input: UsageEventInput): string | null {
  const model = input.model ?? input.requestedModel;
  if (!model || !input.usage) return null;
  const usage: Record<string, number> = { ...EMPTY_USAGE };
  for (const [k, v] of Object.entries(input.usage)) if (typeof v === "number" && v >= 0) usage[k] = v;
  const at = input.timestamp === undefined ? new Date() : new Date(input.timestamp);
  return pricer.price({
    provider: input.provider,
    model,
    requestedModel: input.requestedModel ?? null,
    usage: usage as unknown as NormalizedUsage,
    serviceTier: input.serviceTier ?? null,
    batch: input.batch === true,
    at,
  }).costUsd;
}
