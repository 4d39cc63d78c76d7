import type { NormalizedUsage } from "../core/buckets.js";
import { fromAnthropicUsage } from "./anthropic.js";
import { fromBedrockConverseUsage } from "./bedrock.js";
import { fromGeminiUsage } from "./gemini.js";
import { fromOpenAIChatUsage, fromOpenAIResponsesUsage } from "./openai.js";

/**
 * A provider SDK's own usage object, as an application has it in hand (`completion.usage`,
 * `message.usage`, `response.usageMetadata`, Converse `usage`), mapped with the interceptors' normalisation.
 * Returns undefined when `usage` is not one of these shapes (then it is tokenledger's own `ManualUsage`).
 *
 * | shape (keys)                                            | read as                      |
 * | ------------------------------------------------------- | ---------------------------- |
 * | `prompt_tokens`, `completion_tokens`                    | OpenAI Chat / Completions    |
 * | `input_tokens` + `input_tokens_details` (or provider openai/azure) | OpenAI Responses   |
 * | `input_tokens`, `cache_*_input_tokens`                  | Anthropic Messages           |
 * | `promptTokenCount`, `candidatesTokenCount`              | Gemini `usageMetadata`       |
 * | `inputTokens` + `totalTokens` / `cacheReadInputTokens` (provider bedrock) | Bedrock Converse |
 */
/** `ManualUsage` keys no provider SDK uses (`inputTokens` / `outputTokens` are Bedrock's too). */
const MANUAL_ONLY = [
  "uncachedInputTokens",
  "cacheReadTokens",
  "cacheWriteTokens",
  "cacheWrite5mTokens",
  "cacheWrite1hTokens",
  "reasoningTokens",
  "inputAudioTokens",
  "outputAudioTokens",
  "webSearchRequests",
];

export function fromNativeUsage(provider: string, usage: unknown): NormalizedUsage | undefined {
  if (usage === null || typeof usage !== "object") return undefined;
  const u = usage as Record<string, unknown>;
  const has = (k: string): boolean => Object.hasOwn(u, k);
  const openaiFamily = /^(openai|azure)/.test(provider);
  // Mixed with tokenledger's own names it is a mistake, not a provider object: left to ManualUsage's checks.
  if (MANUAL_ONLY.some(has)) return undefined;
  const bedrockShape =
    /^bedrock/.test(provider) &&
    (has("totalTokens") || has("cacheReadInputTokens") || has("cacheWriteInputTokens"));
  if (!bedrockShape && (has("inputTokens") || has("outputTokens"))) return undefined;
  if (has("prompt_tokens") || has("completion_tokens")) return fromOpenAIChatUsage(u);
  if (has("input_tokens") || has("output_tokens")) {
    if (has("input_tokens_details") || has("output_tokens_details") || openaiFamily)
      return fromOpenAIResponsesUsage(u);
    return fromAnthropicUsage(u);
  }
  if (has("promptTokenCount") || has("candidatesTokenCount") || has("totalTokenCount"))
    return fromGeminiUsage(u);
  if (
    /^bedrock/.test(provider) &&
    (has("totalTokens") || has("cacheReadInputTokens") || has("cacheWriteInputTokens"))
  )
    return fromBedrockConverseUsage(u);
  return undefined;
}
