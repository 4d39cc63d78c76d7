import { Decimal } from "decimal.js";
import { afterEach, describe, expect, it } from "vitest";
import {
  TokenLedgerConfigError,
  track,
  untrack,
  withContext,
  type Pricer,
  type PriceRequest,
} from "tokenledger";
import { recordUsage, trackCost } from "../../src/manual.js";
import { captureTracker } from "../helpers/capture.js";

/** A price table for a model the bundled catalog cannot know: exact decimals, per million tokens. */
function customPricer(seen: PriceRequest[] = []): Pricer {
  const perMillion = { input: "0.15", cacheRead: "0.075", cacheWrite: "0.1875", output: "0.6" };
  return {
    price(req) {
      seen.push(req);
      if (req.provider !== "my-vllm" || req.model !== "qwen-local")
        return { costUsd: null, pricingKey: null };
      const u = req.usage;
      const cost = new Decimal(u.uncachedInputTokens)
        .mul(perMillion.input)
        .plus(new Decimal(u.cacheReadTokens).mul(perMillion.cacheRead))
        .plus(new Decimal(u.cacheWrite5mTokens).mul(perMillion.cacheWrite))
        .plus(new Decimal(u.outputTokens).mul(perMillion.output))
        .div(1_000_000);
      return { costUsd: cost.toFixed(), pricingKey: "my-vllm/qwen-local" };
    },
  };
}

describe("trackCost / recordUsage", () => {
  afterEach(() => untrack());

  it("splits inputTokens (all prompt tokens) into disjoint buckets and prices them exactly", async () => {
    const seen: PriceRequest[] = [];
    const { tracker, flushed } = captureTracker({ pricer: customPricer(seen) });
    const id = recordUsage(tracker, {
      provider: "my-vllm",
      model: "qwen-local",
      usage: {
        inputTokens: 1_000,
        cacheReadTokens: 600,
        cacheWriteTokens: 100,
        outputTokens: 250,
        reasoningTokens: 50,
      },
      latencyMs: 812.5,
    });
    const [event] = await flushed();
    expect(event?.id).toBe(id);
    expect(event?.usage).toMatchObject({
      uncachedInputTokens: 300,
      cacheReadTokens: 600,
      cacheWrite5mTokens: 100,
      outputTokens: 250,
      reasoningTokens: 50,
      tierBasisTokens: 1_000,
    });
    // 300*0.15 + 600*0.075 + 100*0.1875 + 250*0.6 = 258.75 per million
    expect(event).toMatchObject({
      costUsd: "0.00025875",
      unpriced: false,
      usageSource: "manual",
      latencyMs: 812.5,
      status: "ok",
    });
    expect(seen[0]?.usage.uncachedInputTokens).toBe(300);
    await tracker.shutdown();
  });

  it("accepts the disjoint uncachedInputTokens instead, with both cache-write lifetimes", async () => {
    const { tracker, flushed } = captureTracker();
    recordUsage(tracker, {
      provider: "anthropic-proxy",
      model: "claude-sonnet-4-5",
      usage: {
        uncachedInputTokens: 20,
        cacheReadTokens: 5,
        cacheWrite5mTokens: 7,
        cacheWrite1hTokens: 3,
        outputTokens: 9,
      },
    });
    const [event] = await flushed();
    expect(event?.usage).toMatchObject({
      uncachedInputTokens: 20,
      cacheReadTokens: 5,
      cacheWrite5mTokens: 7,
      cacheWrite1hTokens: 3,
      tierBasisTokens: 35,
    });
    await tracker.shutdown();
  });

  it("stores an unknown model with cost null and unpriced, never 0", async () => {
    const { tracker, flushed } = captureTracker({ pricer: customPricer() });
    trackCost({
      tracker,
      provider: "ollama",
      model: "llama3.1:8b",
      usage: { inputTokens: 12, outputTokens: 30 },
    });
    const [event] = await flushed();
    expect(event).toMatchObject({ provider: "ollama", model: "llama3.1:8b", costUsd: null, unpriced: true });
    await tracker.shutdown();
  });

  it("keeps a cost the provider reported (OpenRouter usage.cost) exactly, without pricing", async () => {
    const { tracker, flushed } = captureTracker({ pricer: customPricer() });
    trackCost({
      tracker,
      provider: "openrouter",
      model: "x/y",
      usage: { inputTokens: 1, outputTokens: 1 },
      costUsd: 0.000123,
    });
    trackCost({
      tracker,
      provider: "openrouter",
      model: "x/y",
      usage: { inputTokens: 1, outputTokens: 1 },
      costUsd: "0.1000000001",
    });
    const events = await flushed();
    expect(events.map((e) => e.costUsd)).toEqual(["0.000123", "0.1000000001"]);
    await tracker.shutdown();
  });

  it("merges its attribution over the active context, and records on the track() tracker by default", async () => {
    const { storage } = captureTracker(); // only for its storage
    const tracker = track({ storage, instrument: false, logger: false, autoFlushOnExit: false });
    withContext({ userId: "u1", teamId: "t1", metadata: { a: 1 } }, () =>
      trackCost({
        provider: "mistral",
        model: "mistral-small-latest",
        usage: { inputTokens: 4, outputTokens: 2 },
        attribution: { teamId: "t2", feature: "ocr", metadata: { b: 2 } },
        metadata: { c: 3 },
        status: "error",
        errorType: "RateLimit",
      }),
    );
    await tracker.flush();
    expect(storage.stored[0]).toMatchObject({
      userId: "u1",
      teamId: "t2",
      feature: "ocr",
      metadata: { a: 1, b: 2, c: 3 },
      status: "error",
      errorType: "RateLimit",
    });
  });

  it("returns undefined without throwing when there is no tracker", () => {
    expect(
      trackCost({ provider: "groq", model: "m", usage: { inputTokens: 1, outputTokens: 1 } }),
    ).toBeUndefined();
  });

  describe("rejects malformed input with a TokenLedgerConfigError naming the field", () => {
    const { tracker } = captureTracker();
    const base = { provider: "groq", model: "llama-3.1-8b-instant" };
    const cases: [string, unknown, RegExp][] = [
      [
        "missing provider",
        { model: "m", usage: { outputTokens: 1 } },
        /"provider" must be a non-empty string/,
      ],
      [
        "empty model",
        { ...base, model: "", usage: { outputTokens: 1 } },
        /"model" must be a non-empty string/,
      ],
      ["missing outputTokens", { ...base, usage: { inputTokens: 1 } }, /"usage.outputTokens" is required/],
      [
        "string count",
        { ...base, usage: { inputTokens: "12", outputTokens: 1 } },
        /"usage.inputTokens" must be a whole number/,
      ],
      [
        "negative count",
        { ...base, usage: { inputTokens: -1, outputTokens: 1 } },
        /"usage.inputTokens" must be a whole number/,
      ],
      [
        "fractional count",
        { ...base, usage: { inputTokens: 1.5, outputTokens: 1 } },
        /"usage.inputTokens" must be a whole number/,
      ],
      [
        "provider-shaped usage",
        { ...base, usage: { prompt_tokens: 1, outputTokens: 1 } },
        /unknown field "usage.prompt_tokens"/,
      ],
      ["typo at top level", { ...base, usage: { outputTokens: 1 }, latency: 5 }, /unknown field "latency"/],
      [
        "both input forms",
        { ...base, usage: { inputTokens: 5, uncachedInputTokens: 5, outputTokens: 1 } },
        /either "usage.inputTokens".*or "usage.uncachedInputTokens"/,
      ],
      [
        "cache exceeds input",
        { ...base, usage: { inputTokens: 10, cacheReadTokens: 11, outputTokens: 1 } },
        /cache reads and writes \(11\) exceed "usage.inputTokens" \(10\)/,
      ],
      [
        "reasoning exceeds output",
        { ...base, usage: { outputTokens: 1, reasoningTokens: 2 } },
        /"usage.reasoningTokens" \(2\) exceed "usage.outputTokens" \(1\)/,
      ],
      [
        "two names for one bucket",
        { ...base, usage: { inputTokens: 9, cacheWriteTokens: 1, cacheWrite5mTokens: 1, outputTokens: 1 } },
        /same bucket/,
      ],
      [
        "bad status",
        { ...base, usage: { outputTokens: 1 }, status: "failed" },
        /"status" must be "ok", "error" or "aborted"/,
      ],
      [
        "bad attribution",
        { ...base, usage: { outputTokens: 1 }, attribution: { userId: 7 } },
        /attribution.*"userId" must be a string/,
      ],
      [
        "bad cost",
        { ...base, usage: { outputTokens: 1 }, costUsd: "1e-3" },
        /"costUsd" must be a decimal string/,
      ],
    ];
    it.each(cases)("%s", (_name, input, message) => {
      expect(() => recordUsage(tracker, input as any)).toThrow(TokenLedgerConfigError);
      expect(() => recordUsage(tracker, input as any)).toThrow(message);
      expect(tracker.stats().recorded).toBe(0);
    });
    it("a tracker that is not one", () => {
      expect(() => recordUsage({} as any, { ...base, usage: { outputTokens: 1 } })).toThrow(
        /recordUsage: the first argument must be a tracker/,
      );
      expect(() => trackCost({ ...base, usage: { outputTokens: 1 }, tracker: {} as any })).toThrow(
        /"tracker" must have a record\(event\) method/,
      );
    });
  });
});
