import { describe, expect, it } from "vitest";
import {
  fromOpenAIChatUsage,
  fromOpenAIEmbeddingUsage,
  fromOpenAIResponsesUsage,
} from "../../src/usage/index.js";

describe("OpenAI Chat Completions usage (cached and written ⊂ prompt, reasoning and audio ⊂ their totals)", () => {
  it("subtracts cached and cache-write tokens from the prompt and keeps reasoning inside output", () => {
    const u = fromOpenAIChatUsage({
      prompt_tokens: 10000,
      completion_tokens: 500,
      total_tokens: 10500,
      prompt_tokens_details: { cached_tokens: 8000, cache_write_tokens: 1000, audio_tokens: 300 },
      completion_tokens_details: { reasoning_tokens: 200, audio_tokens: 50, rejected_prediction_tokens: 10 },
    });
    expect(u).toEqual({
      uncachedInputTokens: 1000,
      cacheReadTokens: 8000,
      cacheWrite5mTokens: 1000,
      cacheWrite1hTokens: 0,
      outputTokens: 500,
      reasoningTokens: 200,
      inputAudioTokens: 300,
      outputAudioTokens: 50,
      tierBasisTokens: 10000,
      webSearchRequests: 0,
    });
  });

  it("never trusts text_tokens (some compatible servers report it equal to prompt_tokens)", () => {
    const u = fromOpenAIChatUsage({
      prompt_tokens: 100,
      completion_tokens: 5,
      prompt_tokens_details: { cached_tokens: 40, text_tokens: 100 },
    });
    expect(u.uncachedInputTokens).toBe(60);
  });

  it("treats absent details (older models, compatible servers) as zero", () => {
    expect(fromOpenAIChatUsage({ prompt_tokens: 12, completion_tokens: 3 })).toMatchObject({
      uncachedInputTokens: 12,
      cacheReadTokens: 0,
      outputTokens: 3,
      reasoningTokens: 0,
    });
    expect(
      fromOpenAIChatUsage({
        prompt_tokens: 12,
        completion_tokens: 3,
        prompt_tokens_details: null,
        completion_tokens_details: null,
      }),
    ).toMatchObject({ uncachedInputTokens: 12 });
  });

  it("keeps invalid counts visible: a string becomes NaN, a negative stays negative", () => {
    expect(fromOpenAIChatUsage({ prompt_tokens: "12", completion_tokens: 3 }).uncachedInputTokens).toBeNaN();
    expect(fromOpenAIChatUsage({ prompt_tokens: 10, completion_tokens: -3 }).outputTokens).toBe(-3);
    // More cached than prompt: a negative uncached count the tracker flags instead of pricing.
    expect(
      fromOpenAIChatUsage({ prompt_tokens: 10, prompt_tokens_details: { cached_tokens: 20 } })
        .uncachedInputTokens,
    ).toBe(-10);
  });

  it("returns zeros (not a throw) for a missing usage object", () => {
    expect(fromOpenAIChatUsage(undefined)).toMatchObject({ uncachedInputTokens: 0, outputTokens: 0 });
    expect(fromOpenAIChatUsage(null)).toMatchObject({ uncachedInputTokens: 0, outputTokens: 0 });
  });
});

describe("OpenAI Responses usage", () => {
  it("applies the same subset rules to input_tokens / output_tokens", () => {
    const u = fromOpenAIResponsesUsage({
      input_tokens: 10000,
      input_tokens_details: { cached_tokens: 8000 },
      output_tokens: 500,
      output_tokens_details: { reasoning_tokens: 200 },
      total_tokens: 10500,
    });
    expect(u).toMatchObject({
      uncachedInputTokens: 2000,
      cacheReadTokens: 8000,
      cacheWrite5mTokens: 0,
      outputTokens: 500,
      reasoningTokens: 200,
      tierBasisTokens: 10000,
    });
  });

  it("reads cache_write_tokens when present", () => {
    const u = fromOpenAIResponsesUsage({
      input_tokens: 100,
      input_tokens_details: { cached_tokens: 10, cache_write_tokens: 30 },
      output_tokens: 1,
    });
    expect(u).toMatchObject({ uncachedInputTokens: 60, cacheReadTokens: 10, cacheWrite5mTokens: 30 });
  });
});

describe("OpenAI embeddings usage", () => {
  it("bills prompt_tokens as input only", () => {
    expect(fromOpenAIEmbeddingUsage({ prompt_tokens: 1234, total_tokens: 1234 })).toMatchObject({
      uncachedInputTokens: 1234,
      outputTokens: 0,
      tierBasisTokens: 1234,
    });
  });
});
