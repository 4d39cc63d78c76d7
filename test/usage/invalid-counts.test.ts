import { describe, expect, it } from "vitest";
import { fromAnthropicUsage, fromGeminiUsage, fromOpenAIChatUsage } from "../../src/usage/index.js";
import { captureTracker } from "../helpers/capture.js";

describe("invalid provider counts reach the tracker as anomalies, stored unpriced", () => {
  it.each([
    ["openai", "gpt-4o", fromOpenAIChatUsage({ prompt_tokens: "12", completion_tokens: 3 })],
    ["anthropic", "claude-3-haiku-20240307", fromAnthropicUsage({ input_tokens: 10, output_tokens: -1 })],
    [
      "gemini",
      "gemini-2.5-flash",
      fromGeminiUsage({ promptTokenCount: 10, cachedContentTokenCount: 20, candidatesTokenCount: 1 }),
    ],
  ])("%s", async (provider, model, usage) => {
    const { tracker, flushed } = captureTracker();
    try {
      tracker.record({ provider, model, usage });
      const [event] = await flushed();
      expect(event).toMatchObject({ usageSource: "invalid", costUsd: null, unpriced: true });
    } finally {
      await tracker.shutdown();
    }
  });
});
