import { afterEach, describe, expect, it } from "vitest";
import { TokenTracker, track, untrack } from "tokenledger";

afterEach(async () => {
  await untrack();
});

describe("options: a typo or a blank value is a clear error naming the option", () => {
  it("an unknown pricing option (overides) is refused, listing the accepted ones", () => {
    expect(
      () => new TokenTracker({ storage: ":memory:", logger: false, pricing: { overides: {} } as never }),
    ).toThrow(/option "pricing" has unknown key "overides" \(accepted: overrides, file,/);
  });

  it("an unknown top-level option is refused by track() and TokenTracker", () => {
    expect(() => track({ storage: ":memory:", logger: false, flushIntervalMS: 10 } as never)).toThrow(
      /unknown option "flushIntervalMS"/,
    );
    expect(() => new TokenTracker({ storage: ":memory:", logger: false, sampelRate: 1 } as never)).toThrow(
      /unknown option "sampelRate"/,
    );
  });

  it("an unknown interceptor option is refused by track(), naming it", () => {
    expect(() =>
      track({ storage: ":memory:", logger: false, interceptors: { openAIStreamUsage: "never" } as never }),
    ).toThrow(/option "interceptors" has unknown key "openAIStreamUsage" \(accepted: openaiStreamUsage,/);
  });

  it.each([[""], ["   "], ["\t"]])(
    "storage %j is refused instead of meaning the default ledger",
    (storage) => {
      expect(() => new TokenTracker({ storage, logger: false })).toThrow(
        /option "storage" must not be empty or blank/,
      );
    },
  );
});

describe("warnings name options that exist", () => {
  it("the unpriced-model warning recommends pricing.overrides, which the tracker accepts", async () => {
    const warns: string[] = [];
    const tracker = new TokenTracker({
      storage: ":memory:",
      logger: { warn: (m: string) => warns.push(m), error: () => undefined },
      autoFlushOnExit: false,
    });
    tracker.record({ provider: "acme", model: "no-such-model", usage: { outputTokens: 1 } });
    await tracker.flush();
    await tracker.shutdown();
    const warning = warns.find((w) => w.includes("no price for acme"));
    expect(warning).toContain("`pricing: { overrides }`");
    expect(warning).not.toContain("pricingOverrides");
    // …and the option it names really is accepted.
    expect(
      () =>
        new TokenTracker({
          storage: ":memory:",
          logger: false,
          autoFlushOnExit: false,
          pricing: { overrides: { "acme/no-such-model": { input: "1", output: "2" } } },
        }),
    ).not.toThrow();
  });
});
