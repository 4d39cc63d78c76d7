import type { NormalizedUsage } from "../core/buckets.js";
import { count, record } from "./numbers.js";

/**
 * Gemini `usageMetadata` (`@google/genai` and `@google/generative-ai`, Gemini API and Vertex).
 * `cachedContentTokenCount` ⊂ `promptTokenCount`; `thoughtsTokenCount` is NOT inside `candidatesTokenCount`
 * (added to output); `toolUsePromptTokenCount` is extra INPUT outside `promptTokenCount`.
 */
export function fromGeminiUsage(usageMetadata: unknown): NormalizedUsage {
  const u = record(usageMetadata);
  const prompt = count(u.promptTokenCount);
  const cached = count(u.cachedContentTokenCount);
  const toolPrompt = count(u.toolUsePromptTokenCount);
  const thoughts = count(u.thoughtsTokenCount);
  const audioIn = modality(u.promptTokensDetails, "AUDIO") - modality(u.cacheTokensDetails, "AUDIO");
  return {
    uncachedInputTokens: prompt - cached + toolPrompt,
    cacheReadTokens: cached,
    cacheWrite5mTokens: 0,
    cacheWrite1hTokens: 0,
    outputTokens: count(u.candidatesTokenCount) + thoughts,
    reasoningTokens: thoughts,
    inputAudioTokens: Math.max(0, audioIn),
    outputAudioTokens: modality(u.candidatesTokensDetails, "AUDIO"),
    tierBasisTokens: prompt,
    webSearchRequests: 0,
  };
}

function modality(details: unknown, kind: string): number {
  if (!Array.isArray(details)) return 0;
  let n = 0;
  for (const d of details) {
    const r = record(d);
    if (r.modality === kind && typeof r.tokenCount === "number") n += r.tokenCount;
  }
  return n;
}
