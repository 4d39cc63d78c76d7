import { describe, expect, it } from "vitest";
import { bedrockFamily, fromAnthropicUsage, fromBedrockInvokeBody } from "tokenledger";

describe("normalizer edge cases", () => {
  it("Anthropic: an incomplete TTL split never loses cache writes", () => {
    const u = fromAnthropicUsage({
      input_tokens: 10,
      cache_creation_input_tokens: 2000,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 500 },
      output_tokens: 1,
    });
    expect(u.cacheWrite1hTokens).toBe(500);
    expect(u.cacheWrite5mTokens).toBe(1500);
    expect(u.tierBasisTokens).toBe(2010);
  });

  it("Bedrock: a Claude body behind an application-inference-profile ARN keeps its cache buckets", () => {
    const arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123";
    const u = fromBedrockInvokeBody(arn, {
      usage: {
        input_tokens: 100,
        cache_read_input_tokens: 400,
        cache_creation_input_tokens: 50,
        output_tokens: 20,
      },
    });
    expect(u).toMatchObject({
      uncachedInputTokens: 100,
      cacheReadTokens: 400,
      cacheWrite5mTokens: 50,
      outputTokens: 20,
    });
  });

  it("Bedrock: the Canada cross-region prefix is recognised", () => {
    expect(bedrockFamily("ca.anthropic.claude-sonnet-4-5-20250929-v1:0")).toBe("anthropic");
  });
});
