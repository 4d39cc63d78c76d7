import type { NormalizedUsage } from "../../src/core/buckets.js";
import {
  fromAnthropicUsage,
  fromBedrockConverseUsage,
  fromBedrockInvokeBody,
} from "../../src/usage/index.js";

/** Bodies larger than this are not parsed for usage (image/embedding payloads); the token headers are used. */
const MAX_PARSED_BODY_BYTES = 4 * 1024 * 1024;

/**
 * Usage of an InvokeModel call. The native body first (it has the cache split for Claude), then the
 * `x-amzn-bedrock-*-token-count` response headers, which every model family gets but the SDK does not model.
 */
export function invokeModelUsage(
  familyModelId: string,
  body: unknown,
  headers: unknown,
): NormalizedUsage | undefined {
  const json = parseBody(body);
  if (json !== undefined) {
    const fromBody = fromBedrockInvokeBody(familyModelId, json) ?? anthropicShaped(json);
    if (fromBody) return fromBody;
  }
  return usageFromHeaders(headers);
}

function parseBody(body: unknown): unknown {
  // The SDK hands back a Uint8Array (Uint8ArrayBlobAdapter); decoding does not consume it.
  if (!(body instanceof Uint8Array) || body.byteLength === 0 || body.byteLength > MAX_PARSED_BODY_BYTES)
    return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(body)) as unknown;
  } catch {
    return undefined; // not JSON (for example an image model's binary answer)
  }
}

/** A Claude Messages body behind an opaque id (application inference profile without a mapping). */
function anthropicShaped(json: unknown): NormalizedUsage | undefined {
  const usage = (json as { usage?: { input_tokens?: unknown } } | null)?.usage;
  return typeof usage?.input_tokens === "number" ? fromAnthropicUsage(usage) : undefined;
}

/** Bedrock's token-count headers. Like Converse, the cache counts are disjoint from the input count. */
export function usageFromHeaders(headers: unknown): NormalizedUsage | undefined {
  if (!headers || typeof headers !== "object") return undefined;
  const h = headers as Record<string, unknown>;
  const input = headerNumber(h["x-amzn-bedrock-input-token-count"]);
  const output = headerNumber(h["x-amzn-bedrock-output-token-count"]);
  if (input === undefined && output === undefined) return undefined;
  return fromBedrockConverseUsage({
    inputTokens: input ?? 0,
    outputTokens: output ?? 0,
    cacheReadInputTokens: headerNumber(h["x-amzn-bedrock-cache-read-input-token-count"]),
    cacheWriteInputTokens: headerNumber(h["x-amzn-bedrock-cache-write-input-token-count"]),
  });
}

function headerNumber(value: unknown): number | undefined {
  if (typeof value !== "string" || value.trim() === "") return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : Number.NaN; // garbage stays NaN so the tracker flags the event invalid
}
