import type { NormalizedUsage } from "tokenledger";
import { describe, expect, it } from "vitest";
import { priceOf, usage } from "./price-helpers.js";

/**
 * Usage shapes priced end to end (lookup → rates → exact decimal cost) against costs worked by hand from the
 * providers' published rates (USD per 1M tokens). Each row's `work` column is the hand calculation.
 */
const AT = new Date("2026-11-01T00:00:00Z");

// Anthropic with cache writes: 10k input, 50k cache read, 20k 5m writes, 4k 1h writes, 2k output.
const claudeCache = usage({
  uncachedInputTokens: 10_000,
  cacheReadTokens: 50_000,
  cacheWrite5mTokens: 20_000,
  cacheWrite1hTokens: 4_000,
  outputTokens: 2_000,
});
// Codex-style call: 8k fresh input, 40k cached, 6k output of which 5k reasoning.
const codex = usage({
  uncachedInputTokens: 8_000,
  cacheReadTokens: 40_000,
  outputTokens: 6_000,
  reasoningTokens: 5_000,
});
// OpenAI chat: 10k fresh, 10k cached, 1k output.
const chat = usage({ uncachedInputTokens: 10_000, cacheReadTokens: 10_000, outputTokens: 1_000 });
// Gemini with thinking: 100k fresh + 50k cached prompt (150k basis), 2k candidates + 8k thoughts.
const geminiBelow = usage({
  uncachedInputTokens: 100_000,
  cacheReadTokens: 50_000,
  outputTokens: 10_000,
  reasoningTokens: 8_000,
});
// Same output, 200k fresh + 50k cached: 250k basis, above the 200k tier.
const geminiAbove = usage({
  uncachedInputTokens: 200_000,
  cacheReadTokens: 50_000,
  outputTokens: 10_000,
  reasoningTokens: 8_000,
});
// Reference B.5.5 Bedrock Converse: 1k input, 5k cache read, 2k cache write, 300 output.
const converse = usage({
  uncachedInputTokens: 1_000,
  cacheReadTokens: 5_000,
  cacheWrite5mTokens: 2_000,
  outputTokens: 300,
});
// Realtime audio: 10k input (8k audio), 5k output (4k audio).
const realtime = usage({
  uncachedInputTokens: 10_000,
  inputAudioTokens: 8_000,
  outputTokens: 5_000,
  outputAudioTokens: 4_000,
});
const million = usage({ uncachedInputTokens: 1_000_000, outputTokens: 1_000_000 });

interface Shape {
  readonly shape: string;
  readonly provider: string;
  readonly model: string;
  readonly usage: NormalizedUsage;
  readonly serviceTier?: string;
  readonly batch?: boolean;
  readonly work: string;
  readonly cost: string;
}

const SHAPES: readonly Shape[] = [
  // Anthropic 2026 models with cache writes
  {
    shape: "Opus 4.6 cache writes",
    provider: "anthropic",
    model: "claude-opus-4-6",
    usage: claudeCache,
    work: "10k×5 + 50k×0.5 + 20k×6.25 + 4k×10 + 2k×25",
    cost: "0.29",
  },
  {
    shape: "Opus 4.7 cache writes",
    provider: "anthropic",
    model: "claude-opus-4-7",
    usage: claudeCache,
    work: "same rates as 4.6",
    cost: "0.29",
  },
  {
    shape: "Opus 5 cache writes",
    provider: "anthropic",
    model: "claude-opus-5",
    usage: claudeCache,
    work: "same rates as 4.6",
    cost: "0.29",
  },
  {
    shape: "Opus 5.5 cache writes",
    provider: "anthropic",
    model: "claude-opus-5-5",
    usage: claudeCache,
    work: "10k×4 + 50k×0.2 + 20k×5 + 4k×8 + 2k×20",
    cost: "0.222",
  },
  {
    shape: "Sonnet 4.6 cache writes",
    provider: "anthropic",
    model: "claude-sonnet-4-6",
    usage: claudeCache,
    work: "10k×3 + 50k×0.3 + 20k×3.75 + 4k×6 + 2k×15",
    cost: "0.174",
  },
  {
    shape: "Sonnet 5 cache writes",
    provider: "anthropic",
    model: "claude-sonnet-5",
    usage: claudeCache,
    work: "10k×2 + 50k×0.2 + 20k×2.5 + 4k×4 + 2k×10",
    cost: "0.116",
  },
  {
    shape: "Anthropic batch, Opus 4.6",
    provider: "anthropic",
    model: "claude-opus-4-6",
    usage: claudeCache,
    batch: true,
    work: "0.29 × 0.5",
    cost: "0.145",
  },
  {
    shape: "Anthropic batch, Haiku 4.5",
    provider: "anthropic",
    model: "claude-haiku-4-5",
    usage: converse,
    batch: true,
    work: "(1k×1 + 5k×0.1 + 2k×1.25 + 300×5) × 0.5",
    cost: "0.00275",
  },
  // OpenAI GPT-5.x and codex with reasoning (reasoning is inside output, billed once)
  {
    shape: "gpt-5-codex reasoning",
    provider: "openai",
    model: "gpt-5-codex",
    usage: codex,
    work: "8k×1.25 + 40k×0.125 + 6k×10",
    cost: "0.075",
  },
  {
    shape: "gpt-5.1-codex reasoning",
    provider: "openai",
    model: "gpt-5.1-codex",
    usage: codex,
    work: "gpt-5.1 rates, same as gpt-5",
    cost: "0.075",
  },
  {
    shape: "gpt-5.1-codex-mini reasoning",
    provider: "openai",
    model: "gpt-5.1-codex-mini",
    usage: codex,
    work: "8k×0.25 + 40k×0.025 + 6k×2",
    cost: "0.015",
  },
  {
    shape: "gpt-5.2-codex reasoning",
    provider: "openai",
    model: "gpt-5.2-codex",
    usage: codex,
    work: "8k×1.75 + 40k×0.175 + 6k×14",
    cost: "0.105",
  },
  {
    shape: "gpt-5.3-codex reasoning",
    provider: "openai",
    model: "gpt-5.3-codex",
    usage: codex,
    work: "same rates as gpt-5.2",
    cost: "0.105",
  },
  {
    shape: "gpt-5.4 below 272k",
    provider: "openai",
    model: "gpt-5.4",
    usage: codex,
    work: "8k×2.5 + 40k×0.25 + 6k×15",
    cost: "0.12",
  },
  {
    shape: "gpt-5.4 above 272k",
    provider: "openai",
    model: "gpt-5.4",
    usage: usage({ uncachedInputTokens: 300_000, outputTokens: 1_000 }),
    work: "300k×5 + 1k×22.5 (whole request at the tier)",
    cost: "1.5225",
  },
  {
    shape: "gpt-5.5 reasoning",
    provider: "openai",
    model: "gpt-5.5",
    usage: codex,
    work: "8k×5 + 40k×0.5 + 6k×30",
    cost: "0.24",
  },
  // Priority, flex and batch on OpenAI
  {
    shape: "gpt-5 priority",
    provider: "openai",
    model: "gpt-5",
    usage: codex,
    serviceTier: "priority",
    work: "8k×2.5 + 40k×0.25 + 6k×20",
    cost: "0.15",
  },
  {
    shape: "gpt-5 flex",
    provider: "openai",
    model: "gpt-5",
    usage: codex,
    serviceTier: "flex",
    work: "8k×0.625 + 40k×0.0625 + 6k×5",
    cost: "0.0375",
  },
  {
    shape: "gpt-5 batch",
    provider: "openai",
    model: "gpt-5",
    usage: codex,
    batch: true,
    work: "0.075 × 0.5",
    cost: "0.0375",
  },
  {
    shape: "gpt-5.2 priority",
    provider: "openai",
    model: "gpt-5.2",
    usage: codex,
    serviceTier: "priority",
    work: "8k×3.5 + 40k×0.35 + 6k×28",
    cost: "0.21",
  },
  {
    shape: "gpt-5.2 flex",
    provider: "openai",
    model: "gpt-5.2",
    usage: codex,
    serviceTier: "flex",
    work: "8k×0.875 + 40k×0.0875 + 6k×7",
    cost: "0.0525",
  },
  {
    shape: "gpt-4.1 priority",
    provider: "openai",
    model: "gpt-4.1-2025-04-14",
    usage: chat,
    serviceTier: "priority",
    work: "10k×3.5 + 10k×0.875 + 1k×14 (standard would be 0.033)",
    cost: "0.05775",
  },
  {
    shape: "gpt-4.1-mini priority",
    provider: "openai",
    model: "gpt-4.1-mini",
    usage: chat,
    serviceTier: "priority",
    work: "10k×0.7 + 10k×0.175 + 1k×2.8",
    cost: "0.01155",
  },
  {
    shape: "gpt-4o-2024-08-06 priority",
    provider: "openai",
    model: "gpt-4o-2024-08-06",
    usage: chat,
    serviceTier: "priority",
    work: "10k×4.25 + 10k×2.125 + 1k×17",
    cost: "0.08075",
  },
  {
    shape: "gpt-4o-2024-11-20 priority",
    provider: "openai",
    model: "gpt-4o-2024-11-20",
    usage: chat,
    serviceTier: "priority",
    work: "same as 2024-08-06",
    cost: "0.08075",
  },
  {
    shape: "gpt-4o-mini priority",
    provider: "openai",
    model: "gpt-4o-mini-2024-07-18",
    usage: chat,
    serviceTier: "priority",
    work: "10k×0.25 + 10k×0.125 + 1k×1",
    cost: "0.00475",
  },
  {
    shape: "o3 priority",
    provider: "openai",
    model: "o3",
    usage: chat,
    serviceTier: "priority",
    work: "10k×3.5 + 10k×0.875 + 1k×14",
    cost: "0.05775",
  },
  {
    shape: "o3 flex",
    provider: "openai",
    model: "o3-2025-04-16",
    usage: chat,
    serviceTier: "flex",
    work: "10k×1 + 10k×0.25 + 1k×4",
    cost: "0.0165",
  },
  {
    shape: "gpt-5-nano batch",
    provider: "openai",
    model: "gpt-5-nano",
    usage: million,
    batch: true,
    work: "(1M×0.05 + 1M×0.4) × 0.5",
    cost: "0.225",
  },
  // Realtime and audio buckets
  {
    shape: "gpt-realtime audio",
    provider: "openai",
    model: "gpt-realtime",
    usage: realtime,
    work: "2k×4 + 8k×32 + 1k×16 + 4k×64",
    cost: "0.536",
  },
  {
    shape: "gpt-4o-audio-preview audio",
    provider: "openai",
    model: "gpt-4o-audio-preview",
    usage: realtime,
    work: "2k×2.5 + 8k×40 + 1k×10 + 4k×80",
    cost: "0.655",
  },
  // Gemini 3 with thinking, below and above 200k; preview snapshot ids; batch
  {
    shape: "Gemini 3 Pro thinking ≤200k",
    provider: "gemini",
    model: "gemini-3-pro-preview",
    usage: geminiBelow,
    work: "100k×2 + 50k×0.2 + 10k×12",
    cost: "0.33",
  },
  {
    shape: "Gemini 3 Pro thinking >200k",
    provider: "gemini",
    model: "gemini-3-pro-preview",
    usage: geminiAbove,
    work: "200k×4 + 50k×0.4 + 10k×18",
    cost: "1",
  },
  {
    shape: "Gemini 3 Pro -preview-MM-YYYY id",
    provider: "gemini",
    model: "gemini-3-pro-preview-11-2025",
    usage: geminiBelow,
    work: "resolves to gemini-3-pro-preview",
    cost: "0.33",
  },
  {
    shape: "Gemini 3.1 Pro thinking >200k",
    provider: "gemini",
    model: "gemini-3.1-pro-preview",
    usage: geminiAbove,
    work: "200k×4 + 50k×0.4 + 10k×18",
    cost: "1",
  },
  {
    shape: "Gemini 3 Flash thinking",
    provider: "gemini",
    model: "gemini-3-flash-preview",
    usage: geminiBelow,
    work: "100k×0.5 + 50k×0.05 + 10k×3",
    cost: "0.0825",
  },
  {
    shape: "Gemini 3 Pro batch",
    provider: "gemini",
    model: "gemini-3-pro-preview",
    usage: geminiBelow,
    batch: true,
    work: "0.33 × 0.5",
    cost: "0.165",
  },
  {
    shape: "Gemini 2.5 Pro batch",
    provider: "gemini",
    model: "gemini-2.5-pro",
    usage: geminiBelow,
    batch: true,
    work: "(100k×1.25 + 50k×0.125 + 10k×10) × 0.5",
    cost: "0.115625",
  },
  {
    shape: "Gemini -latest alias",
    provider: "gemini",
    model: "gemini-2.5-flash-latest",
    usage: usage({
      uncachedInputTokens: 4_500,
      cacheReadTokens: 8_000,
      outputTokens: 2_000,
      reasoningTokens: 1_600,
    }),
    work: "reference B.5.3 tools example: 4.5k×0.3 + 8k×0.03 + 2k×2.5",
    cost: "0.00659",
  },
  {
    shape: "Gemini 3 Pro on Vertex",
    provider: "vertex",
    model: "gemini-3-pro-preview",
    usage: geminiAbove,
    work: "Vertex global endpoint, same rates",
    cost: "1",
  },
  // Bedrock: batch, geographic profiles (us./eu./apac. +10% over global.)
  {
    shape: "Bedrock batch Claude 3.5 Sonnet v2",
    provider: "bedrock",
    model: "anthropic.claude-3-5-sonnet-20241022-v2:0",
    usage: converse,
    batch: true,
    work: "reference B.5.5 0.0165 × 0.5",
    cost: "0.00825",
  },
  {
    shape: "Bedrock batch Llama 3.3 70B",
    provider: "bedrock",
    model: "meta.llama3-3-70b-instruct-v1:0",
    usage: million,
    batch: true,
    work: "(1M×0.72 + 1M×0.72) × 0.5",
    cost: "0.72",
  },
  {
    shape: "Bedrock eu. Sonnet 4.5",
    provider: "bedrock",
    model: "eu.anthropic.claude-sonnet-4-5-20250929-v1:0",
    usage: converse,
    work: "0.0165 × 1.1",
    cost: "0.01815",
  },
  {
    shape: "Bedrock apac. Haiku 4.5",
    provider: "bedrock",
    model: "apac.anthropic.claude-haiku-4-5-20251001-v1:0",
    usage: converse,
    work: "(1k×1 + 5k×0.1 + 2k×1.25 + 300×5) × 1.1",
    cost: "0.00605",
  },
  {
    shape: "Bedrock global. Haiku 4.5",
    provider: "bedrock",
    model: "global.anthropic.claude-haiku-4-5-20251001-v1:0",
    usage: converse,
    work: "global price, no multiplier",
    cost: "0.0055",
  },
  {
    shape: "Bedrock us. Opus 4.6",
    provider: "bedrock",
    model: "us.anthropic.claude-opus-4-6-v1",
    usage: converse,
    work: "(1k×5 + 5k×0.5 + 2k×6.25 + 300×25) × 1.1",
    cost: "0.03025",
  },
  {
    shape: "Bedrock eu. Opus 4.6 batch",
    provider: "bedrock",
    model: "eu.anthropic.claude-opus-4-6-v1",
    usage: converse,
    batch: true,
    work: "0.0275 × 0.5 × 1.1",
    cost: "0.015125",
  },
];

describe("usage shapes against hand-calculated costs from published rates", () => {
  it("covers at least 30 shapes", () => {
    expect(SHAPES.length).toBeGreaterThanOrEqual(30);
  });

  it.each(SHAPES)("$shape: $work = $$cost", (s) => {
    expect(
      priceOf(s.provider, s.model, s.usage, {
        at: AT,
        serviceTier: s.serviceTier ?? null,
        batch: s.batch === true,
      }),
    ).toBe(s.cost);
  });
});
