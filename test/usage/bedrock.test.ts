import { describe, expect, it } from "vitest";
import {
  bedrockFamily,
  fromBedrockConverseUsage,
  fromBedrockInvokeBody,
  fromCounts,
} from "../../src/usage/index.js";

describe("Bedrock Converse usage (inputTokens excludes cache reads and writes)", () => {
  it("keeps buckets disjoint and splits writes by TTL", () => {
    const u = fromBedrockConverseUsage({
      inputTokens: 1000,
      cacheReadInputTokens: 5000,
      cacheWriteInputTokens: 2000,
      outputTokens: 300,
      totalTokens: 8300,
      cacheDetails: [
        { ttl: "1h", inputTokens: 500 },
        { ttl: "5m", inputTokens: 1500 },
      ],
    });
    expect(u).toMatchObject({
      uncachedInputTokens: 1000,
      cacheReadTokens: 5000,
      cacheWrite5mTokens: 1500,
      cacheWrite1hTokens: 500,
      outputTokens: 300,
      tierBasisTokens: 8000,
    });
  });

  it("removes a cache write double-counted inside inputTokens when totalTokens proves it", () => {
    // totalTokens = inputTokens + outputTokens although cache tokens were reported: they are inside inputTokens.
    const u = fromBedrockConverseUsage({
      inputTokens: 3000,
      cacheWriteInputTokens: 2000,
      outputTokens: 100,
      totalTokens: 3100,
    });
    expect(u).toMatchObject({ uncachedInputTokens: 1000, cacheWrite5mTokens: 2000, tierBasisTokens: 3000 });
  });

  it("keeps invalid counts visible for the tracker to flag", () => {
    expect(fromBedrockConverseUsage({ inputTokens: "1", outputTokens: 1 }).uncachedInputTokens).toBeNaN();
  });
});

describe("Bedrock InvokeModel bodies", () => {
  it("reads Anthropic bodies with Anthropic semantics", () => {
    const u = fromBedrockInvokeBody("us.anthropic.claude-3-5-sonnet-20241022-v2:0", {
      usage: {
        input_tokens: 10,
        cache_read_input_tokens: 90,
        cache_creation_input_tokens: 5,
        output_tokens: 7,
      },
    });
    expect(u).toMatchObject({
      uncachedInputTokens: 10,
      cacheReadTokens: 90,
      cacheWrite5mTokens: 5,
      outputTokens: 7,
      tierBasisTokens: 105,
    });
  });

  it("reads Titan, Llama, Nova and OpenAI-style bodies", () => {
    expect(
      fromBedrockInvokeBody("amazon.titan-text-express-v1", {
        inputTextTokenCount: 12,
        results: [{ tokenCount: 30 }, { tokenCount: 4 }],
      }),
    ).toMatchObject({
      uncachedInputTokens: 12,
      outputTokens: 34,
    });
    expect(
      fromBedrockInvokeBody("meta.llama3-8b-instruct-v1:0", {
        prompt_token_count: 20,
        generation_token_count: 8,
      }),
    ).toMatchObject({ uncachedInputTokens: 20, outputTokens: 8 });
    expect(
      fromBedrockInvokeBody("amazon.nova-lite-v1:0", {
        usage: { inputTokens: 50, outputTokens: 9, cacheReadInputTokenCount: 10 },
      }),
    ).toMatchObject({
      uncachedInputTokens: 50,
      cacheReadTokens: 10,
      outputTokens: 9,
    });
    expect(
      fromBedrockInvokeBody("mistral.mistral-large-2402-v1:0", {
        usage: { prompt_tokens: 11, completion_tokens: 2 },
      }),
    ).toMatchObject({ uncachedInputTokens: 11, outputTokens: 2 });
  });

  it("returns undefined for a body without usage (headers or invocation metrics then apply)", () => {
    expect(fromBedrockInvokeBody("meta.llama3-8b-instruct-v1:0", { generation: "hi" })).toBeUndefined();
    expect(fromCounts(16, 337)).toMatchObject({
      uncachedInputTokens: 16,
      outputTokens: 337,
      tierBasisTokens: 16,
    });
  });

  it.each([
    ["anthropic.claude-3-haiku-20240307-v1:0", "anthropic"],
    ["global.anthropic.claude-sonnet-4-5-20250929-v1:0", "anthropic"],
    ["us-gov.anthropic.claude-3-haiku-20240307-v1:0", "anthropic"],
    ["arn:aws:bedrock:us-east-1:1:inference-profile/eu.meta.llama3-2-90b-instruct-v1:0", "meta"],
    ["amazon.titan-embed-text-v2:0", "amazon-titan"],
    ["apac.amazon.nova-pro-v1:0", "amazon-nova"],
    ["mistral.mixtral-8x7b-instruct-v0:1", "mistral"],
    ["cohere.command-r-plus-v1:0", "cohere"],
    ["ai21.jamba-1-5-large-v1:0", "other"],
  ])("family of %s is %s", (id, family) => {
    expect(bedrockFamily(id)).toBe(family);
  });
});
