import type { NormalizedUsage } from "../core/buckets.js";
import { count, record } from "./numbers.js";

/**
 * OpenAI Realtime `response.done` usage: `input_tokens` / `output_tokens` with `input_token_details`
 * (`cached_tokens`, `text_tokens`, `audio_tokens`, `image_tokens`, `cached_tokens_details.{text,audio}_tokens`)
 * and `output_token_details` (`text_tokens`, `audio_tokens`). Cached tokens ⊂ input and audio ⊂ each side;
 * the audio bucket here is the *uncached* audio input, since cached audio is billed at the cache-read rate.
 */
export function fromOpenAIRealtimeUsage(usage: unknown): NormalizedUsage {
  const u = record(usage);
  const id = record(u.input_token_details);
  const od = record(u.output_token_details);
  const cachedDetails = record(id.cached_tokens_details);
  const input = count(u.input_tokens);
  const cached = Math.min(count(id.cached_tokens), input);
  const uncached = input - cached;
  const audioIn = Math.min(Math.max(count(id.audio_tokens) - count(cachedDetails.audio_tokens), 0), uncached);
  const output = count(u.output_tokens);
  return {
    uncachedInputTokens: uncached,
    cacheReadTokens: cached,
    cacheWrite5mTokens: 0,
    cacheWrite1hTokens: 0,
    outputTokens: output,
    reasoningTokens: 0,
    inputAudioTokens: audioIn,
    outputAudioTokens: Math.min(count(od.audio_tokens), output),
    tierBasisTokens: input,
    webSearchRequests: 0,
  };
}
