import { describe, expect, it } from "vitest";
import { Dec } from "../../src/pricing/decimal.js";

import { catalogPricer, usage } from "./price-helpers.js";

describe("exact sums", () => {
  it("1,000,000 priced events sum to exactly count × unit cost (floats would drift)", () => {
    const pricer = catalogPricer;
    // Rates like $0.30 and $3.75 per 1M are not exact in binary floating point.
    const u = usage({
      uncachedInputTokens: 1000,
      cacheReadTokens: 5000,
      cacheWrite5mTokens: 2000,
      outputTokens: 300,
    });
    const request = {
      provider: "anthropic",
      model: "claude-3-5-sonnet-20241022",
      requestedModel: null,
      usage: u,
      serviceTier: null,
      batch: false,
      at: new Date(),
    };
    const n = 1_000_000;
    let sum = new Dec(0);
    let floatSum = 0;
    let last = "";
    for (let i = 0; i < n; i++) {
      last = pricer.price(request).costUsd as string;
      sum = sum.plus(last);
      floatSum += Number(last);
    }
    expect(last).toBe("0.0165");
    expect(sum.toFixed()).toBe(new Dec("0.0165").times(n).toFixed());
    expect(sum.toFixed()).toBe("16500");
    expect(floatSum).not.toBe(16500); // the reason costs are decimal strings
  });
});
