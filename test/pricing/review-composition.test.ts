import { describe, expect, it } from "vitest";
import { createPricer, EMPTY_USAGE, type NormalizedUsage } from "tokenledger";

const at = new Date("2026-11-01T00:00:00Z");
const usage = (u: Partial<NormalizedUsage>): NormalizedUsage => ({ ...EMPTY_USAGE, ...u });

describe("rate composition (tier × service tier × batch)", () => {
  const pricer = createPricer({
    overrides: {
      "acme/long": {
        input: "2",
        output: "8",
        cacheRead: "0.2",
        tiers: [{ aboveTokens: 100000, input: "4", output: "12" }],
        batch: { input: "1", output: "4" },
        serviceTiers: { priority: { input: "3", output: "12" } },
      },
    },
  });
  const price = (u: Partial<NormalizedUsage>, extra: { batch?: boolean; serviceTier?: string } = {}) =>
    pricer.price({
      provider: "acme",
      model: "long",
      requestedModel: null,
      usage: usage(u),
      serviceTier: extra.serviceTier ?? null,
      batch: extra.batch ?? false,
      at,
    }).costUsd;

  it("a batch request above the tier pays the tier rate times the batch ratio", () => {
    // 200k uncached at $4 × 0.5 + 1M output at $12 × 0.5
    expect(
      price(
        { uncachedInputTokens: 200_000, outputTokens: 1_000_000, tierBasisTokens: 200_000 },
        { batch: true },
      ),
    ).toBe("6.4");
  });

  it("fields the batch set lacks (cache reads) get the batch ratio too", () => {
    // 1M cache reads: base 0.2, batch ratio 0.5 → $0.10
    expect(price({ cacheReadTokens: 1_000_000, tierBasisTokens: 1_000_000 - 950_000 }, { batch: true })).toBe(
      "0.1",
    );
  });

  it("a priority request above the tier keeps the priority uplift", () => {
    // tier input 4 × (3/2) = 6 per M; tier output 12 × (12/8) = 18 per M
    expect(
      price(
        { uncachedInputTokens: 200_000, outputTokens: 100_000, tierBasisTokens: 200_000 },
        { serviceTier: "priority" },
      ),
    ).toBe("3");
  });

  it("an omitted tier cache rate keeps its ratio to input instead of the stale base rate", () => {
    // base cache 0.2 is 10% of input 2; above the tier input is 4 → cache 0.4 per M
    expect(price({ cacheReadTokens: 150_000, uncachedInputTokens: 0, tierBasisTokens: 150_000 })).toBe(
      "0.06",
    );
  });

  it("below the tier, listed batch and priority prices apply exactly", () => {
    expect(price({ uncachedInputTokens: 1_000_000 }, { batch: true })).toBe("1");
    expect(price({ uncachedInputTokens: 1_000_000 }, { serviceTier: "priority" })).toBe("3");
  });
});
