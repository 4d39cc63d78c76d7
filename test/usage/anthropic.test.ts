import { describe, expect, it } from "vitest";
import { fromAnthropicUsage, mergeAnthropicStreamUsage } from "../../src/usage/index.js";

describe("Anthropic usage (input, cache read and cache write are disjoint)", () => {
  it("keeps the three prompt buckets apart and sums them for the tier basis", () => {
    const u = fromAnthropicUsage({
      input_tokens: 1000,
      cache_read_input_tokens: 5000,
      cache_creation_input_tokens: 2000,
      cache_creation: { ephemeral_5m_input_tokens: 1500, ephemeral_1h_input_tokens: 500 },
      output_tokens: 300,
      output_tokens_details: { thinking_tokens: 120 },
      server_tool_use: { web_search_requests: 2, web_fetch_requests: 1 },
    });
    expect(u).toEqual({
      uncachedInputTokens: 1000,
      cacheReadTokens: 5000,
      cacheWrite5mTokens: 1500,
      cacheWrite1hTokens: 500,
      outputTokens: 300,
      reasoningTokens: 120,
      inputAudioTokens: 0,
      outputAudioTokens: 0,
      tierBasisTokens: 8000,
      webSearchRequests: 2,
    });
  });

  it("treats writes without a TTL split as 5-minute writes, and null cache fields as zero", () => {
    expect(
      fromAnthropicUsage({
        input_tokens: 10,
        cache_creation_input_tokens: 70,
        cache_creation: null,
        output_tokens: 1,
      }),
    ).toMatchObject({
      cacheWrite5mTokens: 70,
      cacheWrite1hTokens: 0,
    });
    expect(
      fromAnthropicUsage({
        input_tokens: 10,
        cache_read_input_tokens: null,
        cache_creation_input_tokens: null,
        output_tokens: 1,
      }),
    ).toMatchObject({
      cacheReadTokens: 0,
      cacheWrite5mTokens: 0,
      tierBasisTokens: 10,
    });
  });

  it("keeps invalid counts visible for the tracker to flag", () => {
    expect(fromAnthropicUsage({ input_tokens: "10", output_tokens: 1 }).uncachedInputTokens).toBeNaN();
    expect(fromAnthropicUsage({ input_tokens: 10, output_tokens: -1 }).outputTokens).toBe(-1);
  });
});

describe("Anthropic streaming usage", () => {
  it("overwrites cumulative counters from message_delta and never adds them", () => {
    const start = {
      input_tokens: 1000,
      cache_read_input_tokens: 5000,
      cache_creation_input_tokens: 0,
      output_tokens: 1,
    };
    let acc = mergeAnthropicStreamUsage(undefined, start);
    acc = mergeAnthropicStreamUsage(acc, { output_tokens: 150, input_tokens: null });
    acc = mergeAnthropicStreamUsage(acc, { output_tokens: 300, server_tool_use: { web_search_requests: 1 } });
    expect(fromAnthropicUsage(acc)).toMatchObject({
      uncachedInputTokens: 1000,
      cacheReadTokens: 5000,
      outputTokens: 300,
      webSearchRequests: 1,
    });
  });

  it("does not mutate the accumulated object it is given", () => {
    const first = mergeAnthropicStreamUsage(undefined, { input_tokens: 5, output_tokens: 1 });
    mergeAnthropicStreamUsage(first, { output_tokens: 9 });
    expect(first.output_tokens).toBe(1);
  });
});
