import { describe, expect, it } from "vitest";
import { createPricer } from "../../src/pricing/index.js";
import { catalogPricer, keyOf, priceOf, usage } from "./price-helpers.js";

// tierBasisTokens kept small so list prices are compared below any long-context tier.
const million = usage({ uncachedInputTokens: 1_000_000, outputTokens: 1_000_000, tierBasisTokens: 1000 });
/** input + output list price per 1M, as the default pricer bills it. */
const inPlusOut = (provider: string, model: string, at?: Date) =>
  priceOf(provider, model, million, at ? { at } : {});

describe("OpenAI models", () => {
  it.each([
    ["gpt-4o", "12.5"],
    ["gpt-4o-2024-08-06", "12.5"],
    ["gpt-4o-2024-11-20", "12.5"],
    ["gpt-4o-2024-05-13", "20"],
    ["gpt-4o-mini", "0.75"],
    ["gpt-4o-mini-2024-07-18", "0.75"],
    ["gpt-4o-audio-preview", "12.5"],
    ["gpt-4.1", "10"],
    ["gpt-4.1-mini", "2"],
    ["gpt-4.1-nano", "0.5"],
    ["gpt-5", "11.25"],
    ["gpt-5-2025-08-07", "11.25"],
    ["gpt-5-mini", "2.25"],
    ["gpt-5-nano", "0.45"],
    ["gpt-5.1", "11.25"],
    ["o1", "75"],
    ["o1-mini", "5.5"],
    ["o3", "10"],
    ["o3-mini", "5.5"],
    ["o4-mini", "5.5"],
    ["gpt-4", "90"],
    ["gpt-4-turbo", "40"],
    ["gpt-4-turbo-2024-04-09", "40"],
    ["gpt-3.5-turbo", "2"],
    ["gpt-3.5-turbo-1106", "3"],
    ["gpt-3.5-turbo-instruct", "3.5"],
    ["text-embedding-3-small", "0.02"],
    ["text-embedding-3-large", "0.13"],
    ["text-embedding-ada-002", "0.1"],
  ])("%s → $%s per 1M in + 1M out", (model, expected) => {
    expect(inPlusOut("openai", model)).toBe(expected);
  });

  it("o4-mini caches at $0.275", () => {
    expect(priceOf("openai", "o4-mini", usage({ cacheReadTokens: 1_000_000 }))).toBe("0.275");
  });

  it("prices the response model (dated snapshot) before the requested alias", () => {
    expect(keyOf("openai", "gpt-4o-2024-05-13", { requestedModel: "gpt-4o" })).toBe(
      "openai/gpt-4o-2024-05-13",
    );
    expect(keyOf("openai", "", { requestedModel: "gpt-4o-mini" })).toBe("openai/gpt-4o-mini");
  });

  it("strips a date suffix when the snapshot has no entry of its own", () => {
    expect(keyOf("openai", "gpt-4.1-mini-2026-01-15")).toBe("openai/gpt-4.1-mini");
    expect(keyOf("openai", "openai/gpt-4o-mini")).toBe("openai/gpt-4o-mini");
  });
});

describe("effective dates", () => {
  it("prices the bare gpt-4o alias at $5/$15 before the switch and $2.50/$10 after", () => {
    expect(inPlusOut("openai", "gpt-4o", new Date("2024-09-01T00:00:00Z"))).toBe("20");
    expect(inPlusOut("openai", "gpt-4o", new Date("2024-10-01T23:59:59Z"))).toBe("20");
    expect(inPlusOut("openai", "gpt-4o", new Date("2024-10-02T00:00:00Z"))).toBe("12.5");
  });

  it("prices o3 at the launch price before the June 2025 cut", () => {
    expect(inPlusOut("openai", "o3-2025-04-16", new Date("2025-05-01T00:00:00Z"))).toBe("50");
    expect(inPlusOut("openai", "o3-2025-04-16", new Date("2025-07-01T00:00:00Z"))).toBe("10");
  });

  it("prices Gemini 1.5 Pro (Gemini API) before and after the October 2024 cut", () => {
    expect(inPlusOut("gemini", "gemini-1.5-pro", new Date("2024-06-01T00:00:00Z"))).toBe("14");
    expect(inPlusOut("gemini", "gemini-1.5-pro-002", new Date("2024-11-01T00:00:00Z"))).toBe("6.25");
  });
});

describe("Azure OpenAI", () => {
  it("uses azure/ keys with Azure's gpt-35-turbo spelling", () => {
    expect(keyOf("azure", "gpt-35-turbo")).toBe("azure/gpt-35-turbo");
    expect(keyOf("azure", "gpt-4o-2024-08-06", { requestedModel: "my-deployment" })).toBe(
      "azure/gpt-4o-2024-08-06",
    );
    // Global deployment: OpenAI's list price $0.15 + $0.60 (the +10% is for data-zone/regional deployments).
    expect(inPlusOut("azure", "gpt-4o-mini-2024-07-18")).toBe("0.75");
  });

  it("falls back to OpenAI's list price for models Azure has no key for, with the spelling fixed", () => {
    // The broad layer (genai-prices) lists gpt-3.5-turbo-instruct-0914 as an OpenAI id of gpt-3.5-turbo-instruct.
    expect(keyOf("azure", "gpt-35-turbo-instruct-0914")).toBe("openai/gpt-3.5-turbo-instruct");
    expect(keyOf("azure", "gpt-4.1-nano-2025-04-14")).toBe("openai/gpt-4.1-nano-2025-04-14");
    expect(keyOf("azure", "gpt-35-turbo-1106")).toBe("openai/gpt-3.5-turbo-1106");
  });

  it("prices a deployment through the user's map, including an EU data-zone key (+10%)", () => {
    const pricer = createPricer({
      litellmCachePath: false,
      azureDeployments: { "prod-eu": "eu/gpt-4o-2024-08-06", chat: "gpt-4o-mini" },
    });
    expect(priceOf("azure", "prod-eu", million, { pricer, requestedModel: "prod-eu" })).toBe("13.75");
    // The Responses API echoes the deployment name as the model.
    expect(keyOf("azure", "chat", { pricer, requestedModel: "chat" })).toBe("azure/gpt-4o-mini");
  });

  it("leaves an unmapped deployment name unpriced", () => {
    expect(keyOf("azure", "prod-chat-deployment", { requestedModel: "prod-chat-deployment" })).toBeNull();
  });
});

describe("Anthropic", () => {
  it.each([
    ["claude-3-haiku-20240307", "1.5"],
    ["claude-3-sonnet-20240229", "18"],
    ["claude-3-opus-20240229", "90"],
    ["claude-3-5-sonnet-20240620", "18"],
    ["claude-3-5-sonnet-20241022", "18"],
    ["claude-3-5-haiku-20241022", "4.8"],
    ["claude-3-7-sonnet-20250219", "18"],
    ["claude-sonnet-4-20250514", "18"],
    ["claude-opus-4-20250514", "90"],
    ["claude-opus-4-1-20250805", "90"],
    ["claude-sonnet-4-5-20250929", "18"],
    ["claude-haiku-4-5-20251001", "6"],
    ["claude-opus-4-5-20251101", "30"],
    ["claude-opus-4-5", "30"],
    ["claude-3-5-sonnet-latest", "18"],
  ])("%s → $%s per 1M in + 1M out", (model, expected) => {
    expect(inPlusOut("anthropic", model)).toBe(expected);
  });

  it("writes 1-hour cache at exactly 2× input (Claude 3 Haiku $0.50, Opus 3 $30) and Haiku 3 5-minute at $0.30", () => {
    const oneHour = usage({ cacheWrite1hTokens: 1_000_000 });
    expect(priceOf("anthropic", "claude-3-haiku-20240307", oneHour)).toBe("0.5");
    expect(priceOf("anthropic", "claude-3-opus-20240229", oneHour)).toBe("30");
    expect(priceOf("anthropic", "claude-3-haiku-20240307", usage({ cacheWrite5mTokens: 1_000_000 }))).toBe(
      "0.3",
    );
  });

  it("switches Sonnet 4 to the long-context tier strictly above 200,000 prompt tokens", () => {
    const at200k = usage({ uncachedInputTokens: 200_000 });
    const above = usage({ uncachedInputTokens: 200_001 });
    expect(priceOf("anthropic", "claude-sonnet-4-20250514", at200k)).toBe("0.6");
    expect(priceOf("anthropic", "claude-sonnet-4-20250514", above)).toBe("1.200006");
  });
});

describe("Gemini API and Vertex", () => {
  it.each([
    ["gemini", "gemini-2.5-pro", "11.25"],
    ["gemini", "gemini-2.5-flash", "2.8"],
    ["gemini", "gemini-2.5-flash-lite", "0.5"],
    ["gemini", "gemini-2.0-flash", "0.5"],
    ["gemini", "gemini-2.0-flash-lite", "0.375"],
    ["gemini", "gemini-1.5-flash", "0.375"],
    ["gemini", "gemini-1.5-pro", "6.25"],
    ["vertex", "gemini-2.0-flash-001", "0.75"],
    ["vertex", "gemini-2.5-pro", "11.25"],
    ["vertex", "gemini-1.5-pro-002", "6.25"],
    ["vertex", "gemini-1.5-flash", "0.375"],
  ])("%s %s → $%s per 1M in + 1M out", (provider, model, expected) => {
    expect(inPlusOut(provider, model)).toBe(expected);
  });

  it("keeps Gemini API and Vertex prices apart where they differ (2.0 Flash)", () => {
    expect(keyOf("gemini", "gemini-2.0-flash-001")).toBe("gemini/gemini-2.0-flash-001");
    expect(keyOf("vertex", "gemini-2.0-flash-001")).toBe("vertex/gemini-2.0-flash-001");
    expect(inPlusOut("gemini", "gemini-2.0-flash-001")).not.toBe(inPlusOut("vertex", "gemini-2.0-flash-001"));
  });

  it("accepts models/ and publisher path prefixes and provider labels google / vertex_ai", () => {
    expect(keyOf("gemini", "models/gemini-2.5-flash")).toBe("gemini/gemini-2.5-flash");
    expect(keyOf("google", "gemini-2.5-flash")).toBe("gemini/gemini-2.5-flash");
    expect(
      keyOf("vertex_ai", "projects/p/locations/us-central1/publishers/google/models/gemini-2.5-pro"),
    ).toBe("vertex/gemini-2.5-pro");
  });

  it("1.5 models switch tier above 128k", () => {
    expect(priceOf("gemini", "gemini-1.5-flash", usage({ uncachedInputTokens: 128_001 }))).toBe("0.01920015");
    expect(priceOf("vertex", "gemini-1.5-flash", usage({ uncachedInputTokens: 128_000 }))).toBe("0.0096");
  });

  it("prices Claude on Vertex (@date ids) at Anthropic's rates", () => {
    expect(keyOf("vertex", "claude-sonnet-4-5@20250929")).toBe("anthropic/claude-sonnet-4-5-20250929");
    expect(keyOf("vertex", "claude-3-5-sonnet-v2@20241022")).toBe("anthropic/claude-3-5-sonnet-20241022");
    expect(keyOf("vertex", "claude-3-haiku@20240307")).toBe("anthropic/claude-3-haiku-20240307");
  });
});

describe("Bedrock", () => {
  it.each([
    ["anthropic.claude-3-haiku-20240307-v1:0", "bedrock/anthropic.claude-3-haiku-20240307-v1:0"],
    ["anthropic.claude-3-sonnet-20240229-v1:0", "bedrock/anthropic.claude-3-sonnet-20240229-v1:0"],
    ["anthropic.claude-3-opus-20240229-v1:0", "bedrock/anthropic.claude-3-opus-20240229-v1:0"],
    ["anthropic.claude-3-5-sonnet-20240620-v1:0", "bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0"],
    ["us.anthropic.claude-3-5-sonnet-20241022-v2:0", "bedrock/anthropic.claude-3-5-sonnet-20241022-v2:0"],
    ["eu.anthropic.claude-3-7-sonnet-20250219-v1:0", "bedrock/anthropic.claude-3-7-sonnet-20250219-v1:0"],
    ["apac.anthropic.claude-sonnet-4-20250514-v1:0", "bedrock/anthropic.claude-sonnet-4-20250514-v1:0"],
    ["global.anthropic.claude-sonnet-4-5-20250929-v1:0", "bedrock/anthropic.claude-sonnet-4-5-20250929-v1:0"],
    ["us.anthropic.claude-sonnet-4-5-20250929-v1:0", "bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0"],
    [
      "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0",
      "bedrock/anthropic.claude-3-5-haiku-20241022-v1:0",
    ],
    [
      "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0",
      "bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0",
    ],
    ["anthropic.claude-3-5-sonnet-20240620-v1:0:18k", "bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0"],
    ["anthropic.claude-3-5-sonnet-20241022-v2:0:51k", "bedrock/anthropic.claude-3-5-sonnet-20241022-v2:0"],
    ["us.anthropic.claude-opus-4-1-20250805-v1:0", "bedrock/anthropic.claude-opus-4-1-20250805-v1:0"],
    ["amazon.titan-text-express-v1", "bedrock/amazon.titan-text-express-v1"],
    ["amazon.titan-text-express-v1:0:8k", "bedrock/amazon.titan-text-express-v1"],
    ["amazon.titan-text-lite-v1", "bedrock/amazon.titan-text-lite-v1"],
    ["amazon.titan-text-premier-v1:0", "bedrock/amazon.titan-text-premier-v1:0"],
    ["amazon.titan-embed-text-v1", "bedrock/amazon.titan-embed-text-v1"],
    ["amazon.titan-embed-text-v2:0", "bedrock/amazon.titan-embed-text-v2:0"],
    ["meta.llama3-8b-instruct-v1:0", "bedrock/meta.llama3-8b-instruct-v1:0"],
    ["meta.llama3-1-70b-instruct-v1:0", "bedrock/meta.llama3-1-70b-instruct-v1:0"],
    ["us.meta.llama3-2-90b-instruct-v1:0", "bedrock/meta.llama3-2-90b-instruct-v1:0"],
    ["us.meta.llama3-3-70b-instruct-v1:0", "bedrock/meta.llama3-3-70b-instruct-v1:0"],
    ["us.meta.llama4-maverick-17b-instruct-v1:0", "bedrock/meta.llama4-maverick-17b-instruct-v1:0"],
    ["mistral.mistral-7b-instruct-v0:2", "bedrock/mistral.mistral-7b-instruct-v0:2"],
    ["mistral.mixtral-8x7b-instruct-v0:1", "bedrock/mistral.mixtral-8x7b-instruct-v0:1"],
    ["mistral.mistral-large-2402-v1:0", "bedrock/mistral.mistral-large-2402-v1:0"],
    ["us.amazon.nova-pro-v1:0", "bedrock/amazon.nova-pro-v1:0"],
    ["amazon.nova-lite-v1:0", "bedrock/amazon.nova-lite-v1:0"],
    ["eu.amazon.nova-micro-v1:0", "bedrock/amazon.nova-micro-v1:0"],
    ["cohere.command-r-v1:0", "bedrock/cohere.command-r-v1:0"],
    ["cohere.command-r-plus-v1:0", "bedrock/cohere.command-r-plus-v1:0"],
  ])("%s → %s", (model, key) => {
    expect(keyOf("bedrock", model)).toBe(key);
  });

  it("adds 10% for geographic profiles of 4.5 models but not for global. or older models", () => {
    const u = million;
    expect(priceOf("bedrock", "global.anthropic.claude-haiku-4-5-20251001-v1:0", u)).toBe("6");
    expect(priceOf("bedrock", "eu.anthropic.claude-haiku-4-5-20251001-v1:0", u)).toBe("6.6");
    expect(priceOf("bedrock", "jp.anthropic.claude-opus-4-5-20251101-v1:0", u)).toBe("33");
    expect(priceOf("bedrock", "us.anthropic.claude-3-5-sonnet-20241022-v2:0", u)).toBe("18");
    expect(priceOf("bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", u)).toBe("19.8");
  });

  it("needs the user's map for opaque application-inference-profile ARNs", () => {
    const arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5";
    expect(keyOf("bedrock", arn)).toBeNull();
    const pricer = createPricer({
      litellmCachePath: false,
      bedrockModelMap: { [arn]: "us.anthropic.claude-sonnet-4-5-20250929-v1:0" },
    });
    expect(keyOf("bedrock", arn, { pricer })).toBe("bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0");
  });
});

describe("no guessing", () => {
  it.each([
    ["openai", "gpt-4o-mini-foo"],
    ["openai", "my-gpt-4o"],
    ["openai", "gpt-4o-foo"],
    ["openai", "ft:gpt-4o-mini-2024-07-18:acme::abc123"],
    ["anthropic", "claude-sonnet-9"],
    ["gemini", "gemini-2.5-pro-ultra"],
    ["bedrock", "anthropic.claude-sonnet-4-5"],
    ["bedrock", "xx.anthropic.claude-3-haiku-20240307-v1:0"],
    ["openai", "claude-3-haiku-20240307"],
    ["groq", "gpt-4o"],
  ])("%s %s is unpriced", (provider, model) => {
    expect(keyOf(provider, model)).toBeNull();
    expect(priceOf(provider, model, million)).toBeNull();
  });

  it("does not borrow another provider's price for a known model name", () => {
    expect(keyOf("openai", "gemini-2.5-pro")).toBeNull();
    expect(keyOf("gemini", "gpt-4o")).toBeNull();
  });

  it("resolves the same model regardless of case and surrounding spaces", () => {
    expect(keyOf("OpenAI", " GPT-4o-Mini ")).toBe("openai/gpt-4o-mini");
  });

  it("lookup() exposes the price in force", () => {
    expect(catalogPricer.lookup("openai", "gpt-4o", new Date("2024-01-01T00:00:00Z"))?.input).toBe("5");
    expect(catalogPricer.lookup("openai", "nope")).toBeUndefined();
  });
});
