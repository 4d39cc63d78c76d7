import { EMPTY_USAGE, type NormalizedUsage } from "../core/buckets.js";
import { count, record } from "./numbers.js";

/**
 * OpenAI Chat Completions / legacy Completions `CompletionUsage`, also Azure OpenAI and OpenAI-compatible servers.
 * `cached_tokens` and `cache_write_tokens` are ⊂ `prompt_tokens`; `reasoning_tokens` and audio are ⊂ their totals.
 * `text_tokens` is never trusted (some compatible servers report it equal to `prompt_tokens`).
 */
export function fromOpenAIChatUsage(usage: unknown): NormalizedUsage {
  const u = record(usage);
  const pd = record(u.prompt_tokens_details);
  const cd = record(u.completion_tokens_details);
  const prompt = count(u.prompt_tokens);
  const cacheRead = count(pd.cached_tokens);
  const cacheWrite = count(pd.cache_write_tokens);
  return {
    uncachedInputTokens: prompt - cacheRead - cacheWrite,
    cacheReadTokens: cacheRead,
    cacheWrite5mTokens: cacheWrite,
    cacheWrite1hTokens: 0,
    outputTokens: count(u.completion_tokens),
    reasoningTokens: count(cd.reasoning_tokens),
    inputAudioTokens: count(pd.audio_tokens),
    outputAudioTokens: count(cd.audio_tokens),
    tierBasisTokens: prompt,
    webSearchRequests: 0,
  };
}

/** OpenAI Responses API `ResponseUsage`: same subset rules with `input_tokens` / `output_tokens`. */
export function fromOpenAIResponsesUsage(usage: unknown): NormalizedUsage {
  const u = record(usage);
  const id = record(u.input_tokens_details);
  const od = record(u.output_tokens_details);
  const input = count(u.input_tokens);
  const cacheRead = count(id.cached_tokens);
  const cacheWrite = count(id.cache_write_tokens);
  return {
    uncachedInputTokens: input - cacheRead - cacheWrite,
    cacheReadTokens: cacheRead,
    cacheWrite5mTokens: cacheWrite,
    cacheWrite1hTokens: 0,
    outputTokens: count(u.output_tokens),
    reasoningTokens: count(od.reasoning_tokens),
    inputAudioTokens: 0,
    outputAudioTokens: 0,
    tierBasisTokens: input,
    webSearchRequests: 0,
  };
}

/** OpenAI embeddings: `{ prompt_tokens, total_tokens }`, all billed as input. */
export function fromOpenAIEmbeddingUsage(usage: unknown): NormalizedUsage {
  const u = record(usage);
  const prompt = count(u.prompt_tokens);
  return { ...EMPTY_USAGE, uncachedInputTokens: prompt, tierBasisTokens: prompt };
}
