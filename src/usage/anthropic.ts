import type { NormalizedUsage } from "../core/buckets.js";
import { count, record } from "./numbers.js";

/**
 * Anthropic Messages `Usage` (also Claude on Bedrock InvokeModel and Vertex).
 * `input_tokens`, `cache_read_input_tokens` and `cache_creation_input_tokens` are DISJOINT: their sum is
 * the whole prompt. Thinking is inside `output_tokens`. Without a TTL split, every write is a 5-minute write.
 */
export function fromAnthropicUsage(usage: unknown): NormalizedUsage {
  const u = record(usage);
  const input = count(u.input_tokens);
  const read = count(u.cache_read_input_tokens);
  const write = count(u.cache_creation_input_tokens);
  const split =
    u.cache_creation === null || u.cache_creation === undefined ? undefined : record(u.cache_creation);
  const write1h = split ? count(split.ephemeral_1h_input_tokens) : 0;
  // A split that accounts for fewer tokens than the total (zeros from some gateways) must not lose writes:
  // whatever the split does not place is billed at the 5-minute rate, like an absent split.
  const write5m = split ? Math.max(count(split.ephemeral_5m_input_tokens), write - write1h) : write;
  return {
    uncachedInputTokens: input,
    cacheReadTokens: read,
    cacheWrite5mTokens: write5m,
    cacheWrite1hTokens: write1h,
    outputTokens: count(u.output_tokens),
    reasoningTokens: count(record(u.output_tokens_details).thinking_tokens),
    inputAudioTokens: 0,
    outputAudioTokens: 0,
    tierBasisTokens: input + read + write,
    webSearchRequests: count(record(u.server_tool_use).web_search_requests),
  };
}

/**
 * Streaming accumulation, as the SDK's own MessageStream does it: start from `message_start.message.usage`,
 * then for each `message_delta.usage` OVERWRITE each counter that is present (they are cumulative totals).
 * Never add deltas.
 */
export function mergeAnthropicStreamUsage(
  current: Readonly<Record<string, unknown>> | undefined,
  delta: unknown,
): Record<string, unknown> {
  const next: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(record(delta))) {
    if (value !== null && value !== undefined) next[key] = value;
  }
  return next;
}
