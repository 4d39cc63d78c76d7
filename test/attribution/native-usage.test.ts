import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordUsage, trackCost } from "../../src/manual.js";
import { captureTracker } from "../helpers/capture.js";
import { startOpenAIServer, type OpenAIFakeServer } from "../helpers/openai-server.js";
import { DEFAULT_BUCKETS, GPT4O_DEFAULT_COST, testPricer } from "../interceptors/openai/support.js";

// trackCost / recordUsage accept a provider SDK's own usage object (provider named), mapped like an intercepted call.
const require = createRequire(import.meta.url);
const { OpenAI } = require("openai");

let server: OpenAIFakeServer;
beforeAll(async () => {
  server = await startOpenAIServer();
});
afterAll(() => server.close());

describe("native usage objects in recordUsage / trackCost", () => {
  it("OpenAI completion.usage from the real SDK: same buckets and cost as the interceptor records", async () => {
    const client = new OpenAI({ apiKey: "sk-test", baseURL: server.baseURL, maxRetries: 0 });
    const c = await client.chat.completions.create({
      model: "gpt-4o",
      messages: [{ role: "user", content: "Hi" }],
    });
    const { tracker, flushed } = captureTracker({ pricer: testPricer });
    recordUsage(tracker, { provider: "openai", model: c.model, usage: c.usage! });
    const [e] = await flushed();
    expect(e!.usage).toMatchObject(DEFAULT_BUCKETS); // 8,000 cached tokens billed once, at the cached rate
    expect(e).toMatchObject({ costUsd: GPT4O_DEFAULT_COST, usageSource: "manual" });
  });

  it("Anthropic message.usage, Gemini usageMetadata, Bedrock Converse usage, OpenAI Responses usage", async () => {
    const { tracker, flushed } = captureTracker();
    trackCost({
      tracker,
      provider: "anthropic",
      model: "claude-sonnet-4-5",
      usage: {
        input_tokens: 100,
        cache_read_input_tokens: 5000,
        cache_creation_input_tokens: 200,
        output_tokens: 40,
      },
    });
    trackCost({
      tracker,
      provider: "gemini",
      model: "gemini-2.5-flash",
      usage: {
        promptTokenCount: 1200,
        cachedContentTokenCount: 1000,
        candidatesTokenCount: 300,
        thoughtsTokenCount: 200,
        totalTokenCount: 1700,
      },
    });
    trackCost({
      tracker,
      provider: "bedrock",
      model: "anthropic.claude-3-5-haiku-20241022-v1:0",
      usage: { inputTokens: 10, outputTokens: 5, totalTokens: 515, cacheReadInputTokens: 500 },
    });
    trackCost({
      tracker,
      provider: "openai",
      model: "gpt-5",
      usage: {
        input_tokens: 900,
        input_tokens_details: { cached_tokens: 600 },
        output_tokens: 70,
        output_tokens_details: { reasoning_tokens: 50 },
      },
    });
    const events = await flushed();
    const by = (p: string) => events.find((e) => e.provider === p)!.usage;
    expect(by("anthropic")).toMatchObject({
      uncachedInputTokens: 100,
      cacheReadTokens: 5000,
      cacheWrite5mTokens: 200,
      outputTokens: 40,
    });
    expect(by("gemini")).toMatchObject({
      uncachedInputTokens: 200,
      cacheReadTokens: 1000,
      outputTokens: 500,
      reasoningTokens: 200,
    });
    expect(by("bedrock")).toMatchObject({ uncachedInputTokens: 10, cacheReadTokens: 500, outputTokens: 5 });
    expect(by("openai")).toMatchObject({
      uncachedInputTokens: 300,
      cacheReadTokens: 600,
      outputTokens: 70,
      reasoningTokens: 50,
    });
  });

  it("bad counts in a native object are refused, naming the provider and the bucket", () => {
    const { tracker } = captureTracker();
    expect(() =>
      recordUsage(tracker, {
        provider: "openai",
        model: "gpt-4o",
        usage: { prompt_tokens: -5, completion_tokens: 1 },
      }),
    ).toThrow(/recordUsage: "usage" \(a openai usage object\) gives uncachedInputTokens = -5/);
    // tokenledger's own shape keeps its strict checks
    expect(() =>
      recordUsage(tracker, {
        provider: "openai",
        model: "gpt-4o",
        usage: { inputTokns: 5, outputTokens: 1 } as never,
      }),
    ).toThrow(/unknown field "usage.inputTokns"/);
  });
});
