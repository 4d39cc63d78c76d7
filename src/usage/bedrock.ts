import type { NormalizedUsage } from "../core/buckets.js";
import { fromAnthropicUsage } from "./anthropic.js";
import { count, record } from "./numbers.js";

/**
 * Bedrock Converse / ConverseStream `TokenUsage`: like Anthropic, `inputTokens` excludes cache reads and writes.
 * `cacheDetails` splits writes by TTL. Some streamed responses were seen counting the cache write inside
 * `inputTokens` as well; `totalTokens` tells, and the double count is removed.
 */
export function fromBedrockConverseUsage(usage: unknown): NormalizedUsage {
  const u = record(usage);
  let input = count(u.inputTokens);
  const read = count(u.cacheReadInputTokens);
  const write = count(u.cacheWriteInputTokens);
  const output = count(u.outputTokens);
  const total = u.totalTokens === undefined ? undefined : count(u.totalTokens);
  if (total !== undefined && read + write > 0 && total === input + output && input >= read + write) {
    input -= read + write;
  }
  let write1h = 0;
  if (Array.isArray(u.cacheDetails)) {
    for (const d of u.cacheDetails) {
      const r = record(d);
      if (r.ttl === "1h") write1h += count(r.inputTokens);
    }
  }
  return {
    uncachedInputTokens: input,
    cacheReadTokens: read,
    cacheWrite5mTokens: write - write1h,
    cacheWrite1hTokens: write1h,
    outputTokens: output,
    reasoningTokens: 0,
    inputAudioTokens: 0,
    outputAudioTokens: 0,
    tierBasisTokens: input + read + write,
    webSearchRequests: 0,
  };
}

/**
 * Bedrock InvokeModel native bodies, by model family. Returns undefined when the body carries no usage
 * (then use the `x-amzn-bedrock-*-token-count` headers or `amazon-bedrock-invocationMetrics`).
 */
export function fromBedrockInvokeBody(modelId: string, body: unknown): NormalizedUsage | undefined {
  const b = record(body);
  const family = bedrockFamily(modelId);
  // By body shape too: application-inference-profile ARNs hide the family, and Claude's cache split matters.
  if (b.usage !== undefined && (family === "anthropic" || isAnthropicUsage(b.usage)))
    return fromAnthropicUsage(b.usage);
  if (family === "amazon-titan" && b.inputTextTokenCount !== undefined) {
    let out = 0;
    if (Array.isArray(b.results)) for (const r of b.results) out += count(record(r).tokenCount);
    return fromCounts(count(b.inputTextTokenCount), out);
  }
  if (family === "meta" && b.prompt_token_count !== undefined) {
    return fromCounts(count(b.prompt_token_count), count(b.generation_token_count));
  }
  if (b.usage !== undefined) {
    const u = record(b.usage);
    // Nova (Converse-like camelCase) or OpenAI-style (Mistral / gpt-oss chat bodies).
    if (u.inputTokens !== undefined) {
      return fromBedrockConverseUsage({
        inputTokens: u.inputTokens,
        outputTokens: u.outputTokens,
        cacheReadInputTokens: u.cacheReadInputTokenCount ?? u.cacheReadInputTokens,
        cacheWriteInputTokens: u.cacheWriteInputTokenCount ?? u.cacheWriteInputTokens,
      });
    }
    if (u.prompt_tokens !== undefined) return fromCounts(count(u.prompt_tokens), count(u.completion_tokens));
  }
  return undefined;
}

function isAnthropicUsage(usage: unknown): boolean {
  const u = record(usage);
  return u.input_tokens !== undefined && u.output_tokens !== undefined && u.prompt_tokens === undefined;
}

/** `amazon-bedrock-invocationMetrics` or the `x-amzn-bedrock-input/output-token-count` headers: no cache split. */
export function fromCounts(input: number, output: number): NormalizedUsage {
  return {
    uncachedInputTokens: input,
    cacheReadTokens: 0,
    cacheWrite5mTokens: 0,
    cacheWrite1hTokens: 0,
    outputTokens: output,
    reasoningTokens: 0,
    inputAudioTokens: 0,
    outputAudioTokens: 0,
    tierBasisTokens: input,
    webSearchRequests: 0,
  };
}

export type BedrockFamily =
  "anthropic" | "amazon-titan" | "amazon-nova" | "meta" | "mistral" | "cohere" | "other";

/** Model family from a model id, inference profile (`us.`, `eu.`, `global.` ...) or ARN. */
export function bedrockFamily(modelId: string): BedrockFamily {
  const id = (modelId.split("/").pop() ?? modelId).replace(/^(us|eu|apac|jp|au|ca|us-gov|global)\./, "");
  if (id.startsWith("anthropic.")) return "anthropic";
  if (id.startsWith("amazon.titan")) return "amazon-titan";
  if (id.startsWith("amazon.nova")) return "amazon-nova";
  if (id.startsWith("meta.")) return "meta";
  if (id.startsWith("mistral.")) return "mistral";
  if (id.startsWith("cohere.")) return "cohere";
  return "other";
}
