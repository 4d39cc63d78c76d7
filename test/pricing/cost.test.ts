import { describe, expect, it } from "vitest";
import {
  bundledCatalog,
  computeCost,
  costBreakdown,
  createPricer,
  defaultPricer,
  formatUsd,
} from "../../src/pricing/index.js";
import { computeCostUsd } from "../../src/pricing/cost.js";
import { Dec } from "../../src/pricing/decimal.js";
import { priceOf, usage } from "./price-helpers.js";

const million = usage({ uncachedInputTokens: 1_000_000, outputTokens: 1_000_000, tierBasisTokens: 1000 });

describe("batch and service tiers", () => {
  it("bills the Batch API at half price (flag or service tier 'batch')", () => {
    expect(priceOf("openai", "gpt-4o-2024-08-06", million, { batch: true })).toBe("6.25");
    expect(priceOf("anthropic", "claude-3-5-haiku-20241022", million, { serviceTier: "batch" })).toBe("2.4");
    expect(
      priceOf("openai", "text-embedding-3-small", usage({ uncachedInputTokens: 1_000_000 }), { batch: true }),
    ).toBe("0.01");
  });

  it("uses flex and priority rates; 'fast' means priority; default/auto are standard", () => {
    expect(priceOf("openai", "gpt-5", million, { serviceTier: "flex" })).toBe("5.625");
    expect(priceOf("openai", "gpt-5", million, { serviceTier: "priority" })).toBe("22.5");
    expect(priceOf("openai", "gpt-5", million, { serviceTier: "fast" })).toBe("22.5");
    expect(priceOf("openai", "gpt-5", million, { serviceTier: "default" })).toBe("11.25");
    expect(priceOf("openai", "gpt-5", million, { serviceTier: "auto" })).toBe("11.25");
    expect(priceOf("openai", "o3", million, { serviceTier: "flex" })).toBe("5");
    expect(priceOf("openai", "gpt-4o", million, { serviceTier: "priority" })).toBe("21.25");
  });

  it("falls back to standard rates with a note when a model has no rate for the tier", () => {
    const b = costBreakdown({ provider: "openai", model: "gpt-4.1", usage: million, serviceTier: "flex" });
    expect(b?.costUsd).toBe("10");
    expect(b?.serviceTier).toBe("standard");
    expect(b?.notes).toEqual(["no flex rates for openai/gpt-4.1; standard rates used"]);
    const noBatch = costBreakdown(
      { provider: "acme", model: "m", usage: million, batch: true },
      createPricer({ litellmCachePath: false, overrides: { "acme/m": { input: "1", output: "2" } } }),
    );
    expect(noBatch?.notes[0]).toMatch(/no batch rates/);
    expect(noBatch?.costUsd).toBe("3");
  });

  it("bills Bedrock batch inference at half the on-demand rate (it was billed at 100%)", () => {
    // amazon.titan-text-lite-v1 on-demand $0.30 in / $0.40 out (reference B.4): batch 1M + 1M = $0.15 + $0.20.
    const titan = costBreakdown({
      provider: "bedrock",
      model: "amazon.titan-text-lite-v1",
      usage: million,
      batch: true,
    });
    expect(titan?.costUsd).toBe("0.35");
    expect(titan?.notes).toEqual([]);
  });
});

describe("long-context tiers", () => {
  it("moves every bucket of the request, and only strictly above the threshold", () => {
    const at = (basis: number) =>
      costBreakdown({
        provider: "anthropic",
        model: "claude-sonnet-4-5",
        usage: {
          uncachedInputTokens: 10,
          cacheReadTokens: 10,
          cacheWrite5mTokens: 10,
          cacheWrite1hTokens: 10,
          outputTokens: 10,
          tierBasisTokens: basis,
        },
      });
    expect(at(200_000)?.tier).toBeNull();
    const above = at(200_001);
    expect(above?.tier).toBe(200_000);
    expect(
      Object.fromEntries(above?.buckets.filter((b) => b.quantity > 0).map((b) => [b.bucket, b.rate]) ?? []),
    ).toEqual({
      textInput: "6",
      cacheRead: "0.6",
      cacheWrite5m: "7.5",
      cacheWrite1h: "12",
      textOutput: "22.5",
    });
  });

  it("shows the key, tier and rules in the breakdown (B.5.4)", () => {
    const b = costBreakdown({
      provider: "anthropic",
      model: "claude-sonnet-4-5-20250929",
      usage: {
        uncachedInputTokens: 10000,
        cacheReadTokens: 190000,
        cacheWrite5mTokens: 5000,
        outputTokens: 1000,
      },
    });
    expect(b).toMatchObject({
      costUsd: "0.234",
      pricingKey: "anthropic/claude-sonnet-4-5-20250929",
      matchedBy: "exact",
      tier: 200000,
      tierBasisTokens: 205000,
    });
    expect(b?.buckets.find((x) => x.bucket === "cacheRead")).toEqual({
      bucket: "cacheRead",
      quantity: 190000,
      rate: "0.6",
      costUsd: "0.114",
      rule: "tier>200000",
    });
  });
});

describe("fallbacks for missing rates (never $0 by accident)", () => {
  const pricer = createPricer({
    litellmCachePath: false,
    overrides: {
      "anthropic/claude-custom": { input: "4", output: "20" },
      "openai/custom-model": { input: "4", output: "20" },
      "openai/thinker": { input: "1", output: "10", reasoning: "20" },
    },
  });
  const buckets = usage({
    cacheReadTokens: 1_000_000,
    cacheWrite5mTokens: 1_000_000,
    cacheWrite1hTokens: 1_000_000,
  });

  it("Claude: read 0.1×, 5m write 1.25×, 1h write 2× input", () => {
    const b = pricer.breakdown({ provider: "anthropic", model: "claude-custom", usage: buckets });
    expect(b?.buckets.filter((x) => x.quantity > 0).map((x) => [x.bucket, x.rate, x.rule])).toEqual([
      ["cacheRead", "0.4", "fallback 0.1×input"],
      ["cacheWrite5m", "5", "fallback 1.25×input"],
      ["cacheWrite1h", "8", "fallback 2×input"],
    ]);
    expect(b?.costUsd).toBe("13.4");
  });

  it("other providers: cached and written tokens at the input rate, 1h at 2×", () => {
    expect(priceOf("openai", "custom-model", buckets, { pricer })).toBe("16");
  });

  it("bills reasoning at its own rate when the model has one, else at the output rate", () => {
    const u = usage({ outputTokens: 1000, reasoningTokens: 400 });
    expect(priceOf("openai", "thinker", u, { pricer })).toBe("0.014"); // 600×10 + 400×20
    expect(priceOf("openai", "o1", u)).toBe("0.06"); // 1000×60
  });

  it("bills Anthropic web searches at $10 per 1,000", () => {
    expect(priceOf("anthropic", "claude-sonnet-4-5", usage({ webSearchRequests: 3 }))).toBe("0.03");
    expect(priceOf("openai", "gpt-4o", usage({ webSearchRequests: 3 }))).toBe("0");
  });
});

describe("bucket splitting", () => {
  it("prices audio tokens (a subset of input and output) at the audio rates", () => {
    const u = usage({
      uncachedInputTokens: 1000,
      inputAudioTokens: 200,
      outputTokens: 500,
      outputAudioTokens: 100,
    });
    // 800×2.5 + 200×40 + 400×10 + 100×80 per 1M
    expect(priceOf("openai", "gpt-4o-audio-preview", u)).toBe("0.022");
    expect(priceOf("openai", "gpt-4o-audio-preview-2024-10-01", u)).toBe("0.046");
  });

  it("bills each output token once even when reported subsets exceed the total", () => {
    const b = costBreakdown({
      provider: "openai",
      model: "gpt-4o",
      usage: { outputTokens: 100, reasoningTokens: 150, outputAudioTokens: 50 },
    });
    const billed = b?.buckets
      .filter((x) => ["textOutput", "reasoning", "outputAudio"].includes(x.bucket))
      .reduce((n, x) => n + x.quantity, 0);
    expect(billed).toBe(100);
    expect(b?.costUsd).toBe("0.001");
  });
});

describe("cost format", () => {
  it("is a plain decimal string rounded half-up to 12 places with trailing zeros trimmed", () => {
    expect(formatUsd(new Dec("0.016500"))).toBe("0.0165");
    expect(formatUsd(new Dec("1e-13"))).toBe("0");
    expect(formatUsd(new Dec("5e-13"))).toBe("0.000000000001");
    expect(formatUsd(new Dec("4.99e-13"))).toBe("0");
    expect(formatUsd(new Dec("123456789.5"))).toBe("123456789.5");
    expect(formatUsd(new Dec("0"))).toBe("0");
  });

  it("never uses exponent notation for tiny or huge costs", () => {
    expect(priceOf("openai", "gpt-4.1-nano", usage({ cacheReadTokens: 1 }))).toBe("0.000000025");
    expect(priceOf("openai", "gpt-4", usage({ uncachedInputTokens: 10_000_000_000 }))).toBe("300000");
  });

  it("the hot path (price) and the breakdown agree exactly for every catalog price", () => {
    let seed = 42;
    const rand = (max: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % max;
    };
    for (const versions of bundledCatalog().prices.values()) {
      for (const price of versions) {
        for (let i = 0; i < 5; i++) {
          const out = rand(300_000);
          const u = usage({
            uncachedInputTokens: rand(300_000),
            cacheReadTokens: rand(300_000),
            cacheWrite5mTokens: rand(50_000),
            cacheWrite1hTokens: rand(50_000),
            outputTokens: out,
            reasoningTokens: rand(out + 1),
            inputAudioTokens: rand(1000),
            webSearchRequests: rand(3),
          });
          const options = {
            batch: rand(2) === 1,
            serviceTier: ["flex", "priority", null][rand(3)] ?? null,
            regionPrefix: rand(2) ? "us" : undefined,
          };
          expect(computeCostUsd(price, u, options), price.key).toBe(computeCost(price, u, options).costUsd);
        }
      }
    }
  });
});

describe("invalid counts", () => {
  it.each([
    ["NaN", Number.NaN],
    ["negative", -5],
    ["fractional", 1.5],
    ["infinite", Number.POSITIVE_INFINITY],
  ])("a %s count is unpriced, not guessed", (_label, bad) => {
    expect(priceOf("openai", "gpt-4o", usage({ uncachedInputTokens: bad }))).toBeNull();
    expect(costBreakdown({ provider: "openai", model: "gpt-4o", usage: { outputTokens: bad } })).toBeNull();
  });

  it("price() never throws, even on a malformed request", () => {
    const bad = {
      provider: "openai",
      model: "gpt-4o",
      requestedModel: null,
      usage: null,
      serviceTier: null,
      batch: false,
      at: new Date(Number.NaN),
    };
    expect(defaultPricer().price(bad as never)).toEqual({ costUsd: null, pricingKey: null });
  });
});
