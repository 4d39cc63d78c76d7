import { describe, expect, it } from "vitest";
import { fromGeminiUsage } from "../../src/usage/index.js";

describe("Gemini usageMetadata (cached ⊂ prompt; thoughts and tool-use prompt are extra)", () => {
  it("subtracts cached from prompt, adds tool-use prompt to input and thoughts to output", () => {
    const u = fromGeminiUsage({
      promptTokenCount: 12000,
      cachedContentTokenCount: 8000,
      toolUsePromptTokenCount: 500,
      candidatesTokenCount: 400,
      thoughtsTokenCount: 1600,
      totalTokenCount: 14500,
    });
    expect(u).toEqual({
      uncachedInputTokens: 4500,
      cacheReadTokens: 8000,
      cacheWrite5mTokens: 0,
      cacheWrite1hTokens: 0,
      outputTokens: 2000,
      reasoningTokens: 1600,
      inputAudioTokens: 0,
      outputAudioTokens: 0,
      tierBasisTokens: 12000,
      webSearchRequests: 0,
    });
  });

  it("bases the long-context tier on promptTokenCount (cached included, tool-use prompt excluded)", () => {
    expect(
      fromGeminiUsage({
        promptTokenCount: 250000,
        cachedContentTokenCount: 50000,
        toolUsePromptTokenCount: 9000,
      }).tierBasisTokens,
    ).toBe(250000);
  });

  it("counts uncached audio input and audio output by modality", () => {
    const u = fromGeminiUsage({
      promptTokenCount: 1000,
      cachedContentTokenCount: 300,
      candidatesTokenCount: 50,
      promptTokensDetails: [
        { modality: "TEXT", tokenCount: 400 },
        { modality: "AUDIO", tokenCount: 600 },
      ],
      cacheTokensDetails: [{ modality: "AUDIO", tokenCount: 200 }],
      candidatesTokensDetails: [{ modality: "AUDIO", tokenCount: 30 }],
    });
    expect(u).toMatchObject({
      uncachedInputTokens: 700,
      inputAudioTokens: 400,
      outputTokens: 50,
      outputAudioTokens: 30,
    });
  });

  it("keeps invalid counts visible for the tracker to flag", () => {
    expect(fromGeminiUsage({ promptTokenCount: "5", candidatesTokenCount: 1 }).uncachedInputTokens).toBeNaN();
    expect(fromGeminiUsage({ promptTokenCount: 5, candidatesTokenCount: -2 }).outputTokens).toBe(-2);
  });

  it("returns zeros for a response without usageMetadata", () => {
    expect(fromGeminiUsage(undefined)).toMatchObject({
      uncachedInputTokens: 0,
      outputTokens: 0,
      tierBasisTokens: 0,
    });
  });
});
