import { describe, expect, it } from "vitest";
import { createPricer, EMPTY_USAGE } from "tokenledger";

// Tests point XDG_CACHE_HOME at a temp dir, so no imported LiteLLM cache changes these prices.
const pricer = createPricer();
const price = (provider: string, model: string) =>
  pricer.price({
    provider,
    model,
    requestedModel: null,
    usage: {
      ...EMPTY_USAGE,
      uncachedInputTokens: 1_000_000,
      outputTokens: 1_000_000,
      tierBasisTokens: 1_000_000,
    },
    serviceTier: null,
    batch: false,
    at: new Date("2026-11-01T00:00:00Z"),
  });

describe("providers without a price table (gateways, proxies, compatible hosts)", () => {
  it("price a first-party model id exactly at its list price", () => {
    expect(price("llm-gateway.internal", "gpt-4o-mini-2024-07-18")).toEqual({
      costUsd: "0.75",
      pricingKey: "openai/gpt-4o-mini-2024-07-18",
    });
    // A 1M-token prompt is above Sonnet 4.5's 200k tier: $6 input + $22.50 output per M.
    expect(price("openrouter", "anthropic/claude-sonnet-4-5").costUsd).toBe("28.5");
  });

  it("leave unknown or merely similar ids unpriced", () => {
    expect(price("groq", "llama-3.1-70b-versatile").costUsd).toBeNull();
    expect(price("llm-gateway.internal", "my-gpt-4o").costUsd).toBeNull();
    expect(price("llm-gateway.internal", "gpt-4o-mini-finetuned").costUsd).toBeNull();
  });
});

describe("inference providers with their own prices", () => {
  it("are never priced at a first-party rate for a same-named model", () => {
    for (const provider of ["groq", "together", "fireworks", "ollama", "deepseek"]) {
      expect(price(provider, "gpt-4o-mini-2024-07-18").costUsd).toBeNull();
    }
  });
});
