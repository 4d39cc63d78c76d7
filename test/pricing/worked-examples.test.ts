import { describe, expect, it } from "vitest";
import {
  fromAnthropicUsage,
  fromBedrockConverseUsage,
  fromGeminiUsage,
  fromOpenAIChatUsage,
  fromOpenAIEmbeddingUsage,
  fromOpenAIResponsesUsage,
} from "../../src/usage/index.js";
import { captureTracker } from "../helpers/capture.js";
import { priceOf } from "./price-helpers.js";

// Reference part B.5: raw provider usage JSON → src/usage normalizer → default pricer → exact cost string.

describe("B.5.1 Anthropic claude-3-5-sonnet-20241022 with cache read and write", () => {
  const base = {
    input_tokens: 1000,
    cache_read_input_tokens: 5000,
    cache_creation_input_tokens: 2000,
    output_tokens: 300,
  };

  it("bills 5-minute writes at $3.75: $0.0165", () => {
    const u = fromAnthropicUsage({
      ...base,
      cache_creation: { ephemeral_5m_input_tokens: 2000, ephemeral_1h_input_tokens: 0 },
    });
    expect(priceOf("anthropic", "claude-3-5-sonnet-20241022", u)).toBe("0.0165");
  });

  it("bills writes without a TTL split as 5-minute writes", () => {
    expect(priceOf("anthropic", "claude-3-5-sonnet-20241022", fromAnthropicUsage(base))).toBe("0.0165");
  });

  it("bills 1-hour writes at 2× input ($6): $0.021", () => {
    const u = fromAnthropicUsage({
      ...base,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 2000 },
    });
    expect(priceOf("anthropic", "claude-3-5-sonnet-20241022", u)).toBe("0.021");
  });

  it("bills a 1,500 + 500 split: $0.017625", () => {
    const u = fromAnthropicUsage({
      ...base,
      cache_creation: { ephemeral_5m_input_tokens: 1500, ephemeral_1h_input_tokens: 500 },
    });
    expect(priceOf("anthropic", "claude-3-5-sonnet-20241022", u)).toBe("0.017625");
  });

  it("does not make the common mistakes (cache subtracted from input, writes at the input rate)", () => {
    const cost = priceOf("anthropic", "claude-3-5-sonnet-20241022", fromAnthropicUsage(base));
    expect(cost).not.toBe("0.015"); // writes at the $3 input rate instead of $3.75
    expect(cost).not.toBe("0.0135"); // reads and writes subtracted from input_tokens (which excludes them)
  });
});

describe("B.5.2 OpenAI: 10,000 prompt (8,000 cached), 500 completion (200 reasoning)", () => {
  const chat = {
    prompt_tokens: 10000,
    prompt_tokens_details: { cached_tokens: 8000 },
    completion_tokens: 500,
    completion_tokens_details: { reasoning_tokens: 200 },
  };
  const responses = {
    input_tokens: 10000,
    input_tokens_details: { cached_tokens: 8000 },
    output_tokens: 500,
    output_tokens_details: { reasoning_tokens: 200 },
  };

  it("gpt-4o costs $0.02 via Chat Completions and via Responses", () => {
    expect(priceOf("openai", "gpt-4o-2024-08-06", fromOpenAIChatUsage(chat))).toBe("0.02");
    expect(priceOf("openai", "gpt-4o-2024-08-06", fromOpenAIResponsesUsage(responses))).toBe("0.02");
  });

  it("o1 costs $0.12", () => {
    expect(priceOf("openai", "o1", fromOpenAIChatUsage(chat))).toBe("0.12");
    expect(priceOf("openai", "o1-2024-12-17", fromOpenAIResponsesUsage(responses))).toBe("0.12");
  });

  it("is neither the naive figure (no cache discount) nor the wrong one (reasoning added on top)", () => {
    const gpt4o = priceOf("openai", "gpt-4o-2024-08-06", fromOpenAIChatUsage(chat));
    const o1 = priceOf("openai", "o1", fromOpenAIChatUsage(chat));
    expect([gpt4o, o1]).not.toContain("0.03");
    expect([gpt4o, o1]).not.toContain("0.022");
    expect(o1).not.toBe("0.18");
    expect(o1).not.toBe("0.132");
  });
});

describe("B.5.3 Gemini", () => {
  it("2.5 Pro above 200k bills the whole request at the long-context tier: $0.5875", () => {
    const u = fromGeminiUsage({
      promptTokenCount: 250000,
      cachedContentTokenCount: 50000,
      candidatesTokenCount: 2000,
      thoughtsTokenCount: 3000,
    });
    expect(priceOf("gemini", "gemini-2.5-pro", u)).toBe("0.5875");
    expect(priceOf("vertex", "gemini-2.5-pro", u)).toBe("0.5875");
  });

  it("2.5 Pro at 180k stays on the base tier: $0.24125", () => {
    const u = fromGeminiUsage({
      promptTokenCount: 180000,
      cachedContentTokenCount: 30000,
      candidatesTokenCount: 2000,
      thoughtsTokenCount: 3000,
    });
    expect(priceOf("gemini", "models/gemini-2.5-pro", u)).toBe("0.24125");
  });

  it("2.5 Flash with tool-use prompt tokens and thoughts: $0.00659", () => {
    const u = fromGeminiUsage({
      promptTokenCount: 12000,
      cachedContentTokenCount: 8000,
      toolUsePromptTokenCount: 500,
      candidatesTokenCount: 400,
      thoughtsTokenCount: 1600,
    });
    expect(priceOf("gemini", "gemini-2.5-flash", u)).toBe("0.00659");
  });
});

describe("B.5.4 Claude Sonnet 4.5 long context", () => {
  const raw = {
    input_tokens: 10000,
    cache_read_input_tokens: 190000,
    cache_creation_input_tokens: 5000,
    output_tokens: 1000,
  };

  it("205,000 prompt tokens > 200,000: every bucket at the long-context rates, $0.234", () => {
    expect(priceOf("anthropic", "claude-sonnet-4-5-20250929", fromAnthropicUsage(raw))).toBe("0.234");
  });

  it("is not the base-rate figure $0.12075", () => {
    expect(priceOf("anthropic", "claude-sonnet-4-5", fromAnthropicUsage(raw))).not.toBe("0.12075");
  });
});

describe("B.5.5 Bedrock Converse", () => {
  const raw = {
    inputTokens: 1000,
    cacheReadInputTokens: 5000,
    cacheWriteInputTokens: 2000,
    outputTokens: 300,
    totalTokens: 8300,
  };

  it("anthropic.claude-3-5-sonnet-20241022-v2:0 matches B.5.1: $0.0165", () => {
    expect(
      priceOf("bedrock", "anthropic.claude-3-5-sonnet-20241022-v2:0", fromBedrockConverseUsage(raw)),
    ).toBe("0.0165");
  });

  it("the us. Sonnet 4.5 profile costs exactly 1.1× the global price", () => {
    const u = fromBedrockConverseUsage(raw);
    const global = priceOf("bedrock", "global.anthropic.claude-sonnet-4-5-20250929-v1:0", u);
    const us = priceOf("bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", u);
    expect(global).toBe("0.0165");
    expect(us).toBe("0.01815");
  });
});

describe("B.5.6 embeddings", () => {
  it("text-embedding-3-small, 1,234 tokens: $0.00002468", () => {
    expect(
      priceOf(
        "openai",
        "text-embedding-3-small",
        fromOpenAIEmbeddingUsage({ prompt_tokens: 1234, total_tokens: 1234 }),
      ),
    ).toBe("0.00002468");
  });
});

describe("through the tracker", () => {
  it("stores the B.5.1 cost and pricing key on the event", async () => {
    const { tracker, flushed } = captureTracker();
    try {
      tracker.record({
        provider: "anthropic",
        model: "claude-3-5-sonnet-20241022",
        requestedModel: "claude-3-5-sonnet-latest",
        usage: fromAnthropicUsage({
          input_tokens: 1000,
          cache_read_input_tokens: 5000,
          cache_creation_input_tokens: 2000,
          output_tokens: 300,
        }),
      });
      const [event] = await flushed();
      expect(event?.costUsd).toBe("0.0165");
      expect(event?.pricingKey).toBe("anthropic/claude-3-5-sonnet-20241022");
      expect(event?.unpriced).toBe(false);
    } finally {
      await tracker.shutdown();
    }
  });

  it("stores an unknown model as unpriced with cost null, never 0", async () => {
    const { tracker, flushed } = captureTracker();
    try {
      tracker.record({
        provider: "openai",
        model: "my-gpt-4o",
        usage: { uncachedInputTokens: 10, outputTokens: 5 },
      });
      const [event] = await flushed();
      expect(event?.costUsd).toBeNull();
      expect(event?.unpriced).toBe(true);
      expect(event?.pricingKey).toBeNull();
    } finally {
      await tracker.shutdown();
    }
  });
});
