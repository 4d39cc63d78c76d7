/**
 * pricer.price(): median ns per call (it runs when the tracker builds an event, off the caller's path).
 * Cases: a plain cached call, a long-context tier call, a Bedrock regional profile, the per-bucket breakdown,
 * and an unknown model (lookup misses through every layer).
 */
import type { NormalizedUsage, PriceRequest } from "tokenledger";
// Relative until src/index.ts re-exports createPricer.
import { createPricer } from "../src/pricing/index.js";
import { QUICK, isMain, median, printTable } from "./util.js";

const CALLS = QUICK ? 2_000 : 20_000;
const SAMPLES = QUICK ? 5 : 15;

const base: NormalizedUsage = {
  uncachedInputTokens: 1000,
  cacheReadTokens: 5000,
  cacheWrite5mTokens: 2000,
  cacheWrite1hTokens: 0,
  outputTokens: 300,
  reasoningTokens: 0,
  inputAudioTokens: 0,
  outputAudioTokens: 0,
  tierBasisTokens: 8000,
  webSearchRequests: 0,
};
const request = (provider: string, model: string, usage: NormalizedUsage = base): PriceRequest => ({
  provider,
  model,
  requestedModel: null,
  usage,
  serviceTier: null,
  batch: false,
  at: new Date(),
});

function nsPerCall(fn: () => void, calls: number): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) fn();
  return Number(process.hrtime.bigint() - t0) / calls;
}

export async function benchPricingCost(): Promise<string[][]> {
  const pricer = createPricer({ litellmCachePath: false });
  // Baseline for the broad layer's cost on a miss: the same lookups without it.
  const curatedOnly = createPricer({ litellmCachePath: false, broad: false });
  const cases: [string, () => void][] = [
    [
      "anthropic claude-3-5-sonnet (cache read+write)",
      () => pricer.price(request("anthropic", "claude-3-5-sonnet-20241022")),
    ],
    ["openai gpt-4o dated snapshot", () => pricer.price(request("openai", "gpt-4o-2024-08-06"))],
    [
      "gemini-2.5-pro above the 200k tier",
      () => pricer.price(request("gemini", "models/gemini-2.5-pro", { ...base, tierBasisTokens: 250_000 })),
    ],
    [
      "bedrock eu. profile (stripped, ×1.1)",
      () => pricer.price(request("bedrock", "eu.anthropic.claude-haiku-4-5-20251001-v1:0")),
    ],
    ["unknown model (unpriced)", () => pricer.price(request("openai", "my-gpt-4o"))],
    ["unknown model, broad layer off (baseline)", () => curatedOnly.price(request("openai", "my-gpt-4o"))],
    ["broad layer: gpt-5.5 (not in the catalog)", () => pricer.price(request("openai", "gpt-5.5"))],
    ["broad alias → catalog: gpt-5-codex", () => pricer.price(request("openai", "gpt-5-codex"))],
    [
      "breakdown() with per-bucket strings",
      () => pricer.breakdown({ provider: "anthropic", model: "claude-3-5-sonnet-20241022", usage: base }),
    ],
  ];
  const rows: string[][] = [];
  for (const [name, fn] of cases) {
    nsPerCall(fn, CALLS); // warm up: JIT and the pricer's lookup/rate caches
    const samples = Array.from({ length: SAMPLES }, () => nsPerCall(fn, CALLS));
    rows.push([
      name,
      median(samples).toFixed(0),
      Math.min(...samples).toFixed(0),
      Math.max(...samples).toFixed(0),
    ]);
  }
  return rows;
}

if (isMain(import.meta.url)) {
  const rows = await benchPricingCost();
  printTable(
    `pricer.price() ns per call (${SAMPLES} samples × ${CALLS} calls)`,
    ["case", "median ns", "min", "max"],
    rows,
  );
}
