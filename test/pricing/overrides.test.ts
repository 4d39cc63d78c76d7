import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { TokenLedgerConfigError } from "tokenledger";
import { createPricer } from "../../src/pricing/index.js";
import { captureTracker } from "../helpers/capture.js";
import { keyOf, priceOf, usage } from "./price-helpers.js";

const dir = mkdtempSync(join(tmpdir(), "tokenledger-overrides-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const million = usage({ uncachedInputTokens: 1_000_000, outputTokens: 1_000_000, tierBasisTokens: 1000 });

describe("overrides in code", () => {
  it("price a custom model (numbers accepted and converted exactly)", () => {
    const pricer = createPricer({
      litellmCachePath: false,
      overrides: { "openai/ft:gpt-4o-mini:acme::x1": { input: 0.3, output: "1.2" } },
    });
    expect(priceOf("openai", "ft:gpt-4o-mini:acme::x1", million, { pricer })).toBe("1.5");
    expect(keyOf("openai", "ft:gpt-4o-mini:acme::x1", { pricer })).toBe(
      "override:openai/ft:gpt-4o-mini:acme::x1",
    );
  });

  it("win over the catalog, also for the dated snapshot the API answers with", () => {
    const pricer = createPricer({
      litellmCachePath: false,
      overrides: { "openai/gpt-4o": { input: "2", output: "8" } },
    });
    expect(priceOf("openai", "gpt-4o-2024-08-06", million, { pricer })).toBe("10");
  });

  it("can start at a date: earlier events keep the catalog price", () => {
    const pricer = createPricer({
      litellmCachePath: false,
      overrides: {
        "anthropic/claude-haiku-4-5-20251001": { input: "0.5", output: "2.5", effectiveFrom: "2026-12-01" },
      },
    });
    const before = new Date("2026-11-30T23:59:59Z");
    const after = new Date("2026-12-01T00:00:00Z");
    expect(priceOf("anthropic", "claude-haiku-4-5-20251001", million, { pricer, at: before })).toBe("6");
    expect(priceOf("anthropic", "claude-haiku-4-5-20251001", million, { pricer, at: after })).toBe("3");
  });

  it("support aliases to any layer, also across providers", () => {
    const pricer = createPricer({
      litellmCachePath: false,
      aliases: { "openai/router-default": "anthropic/claude-sonnet-4-5-20250929" },
    });
    expect(keyOf("openai", "router-default", { pricer })).toBe("anthropic/claude-sonnet-4-5-20250929");
  });

  it("reject a key without a provider, naming the key", () => {
    expect(() => createPricer({ overrides: { "gpt-4o": { input: "1", output: "2" } } })).toThrow(
      'pricing options: prices key "gpt-4o" must be "<provider>/<model>"',
    );
  });

  it("reject a bad rate, naming the key and the field", () => {
    expect(() => createPricer({ overrides: { "openai/x": { input: "cheap", output: "2" } } })).toThrow(
      TokenLedgerConfigError,
    );
    expect(() => createPricer({ overrides: { "openai/x": { input: -1, output: "2" } } })).toThrow(
      /pricing options is invalid: prices\["openai\/x"\]\.input: must be a non-negative decimal string/,
    );
  });

  it("reject a map target that has no price (a typo)", () => {
    expect(() => createPricer({ azureDeployments: { prod: "gpt-4oo" } })).toThrow(
      'azureDeployments["prod"] points at "gpt-4oo", which has no price in the overrides, the LiteLLM cache or the catalog',
    );
    expect(() =>
      createPricer({
        bedrockModelMap: {
          "arn:aws:bedrock:us-east-1:1:application-inference-profile/x": "anthropic.claude-9",
        },
      }),
    ).toThrow(
      /bedrockModelMap\["arn:aws:bedrock:us-east-1:1:application-inference-profile\/x"\] points at "anthropic.claude-9"/,
    );
  });
});

describe("overrides file", () => {
  it("reads YAML with prices, aliases and maps; code options win", () => {
    const path = file(
      "prices.yaml",
      [
        "prices:",
        "  openai/gpt-4o:",
        "    input: 2.5",
        '    output: "9"',
        "  groq/llama-3.1-8b-instant:",
        '    input: "0.05"',
        '    output: "0.08"',
        "aliases:",
        "  groq/llama-fast: groq/llama-3.1-8b-instant",
        "azureDeployments:",
        "  prod-eu: azure/eu/gpt-4o-2024-08-06",
        "",
      ].join("\n"),
    );
    const pricer = createPricer({
      litellmCachePath: false,
      file: path,
      overrides: { "openai/gpt-4o": { input: "1", output: "1" } },
    });
    expect(priceOf("openai", "gpt-4o", million, { pricer })).toBe("2");
    expect(priceOf("groq", "llama-fast", million, { pricer })).toBe("0.13");
    expect(priceOf("azure", "prod-eu", million, { pricer, requestedModel: "prod-eu" })).toBe("13.75");
  });

  it("reads JSON with dated versions", () => {
    const path = file(
      "prices.json",
      JSON.stringify({
        prices: {
          "openai/house-model": [
            { input: "1", output: "2", effectiveTo: "2026-01-01" },
            { input: "0.5", output: "1", effectiveFrom: "2026-01-01" },
          ],
        },
      }),
    );
    const pricer = createPricer({ litellmCachePath: false, file: path });
    expect(priceOf("openai", "house-model", million, { pricer, at: new Date("2025-06-01T00:00:00Z") })).toBe(
      "3",
    );
    expect(priceOf("openai", "house-model", million, { pricer })).toBe("1.5");
  });

  it.each([
    [
      "broken.yaml",
      "prices:\n  openai/gpt-4o: [unclosed\n",
      /pricing overrides file .*broken\.yaml is not valid YAML/,
    ],
    ["broken.json", '{"prices": {', /pricing overrides file .*broken\.json is not valid JSON/],
    [
      "bad-rate.json",
      JSON.stringify({ prices: { "openai/gpt-4o": { input: "1e-6", output: "2" } } }),
      /bad-rate\.json is invalid: prices\["openai\/gpt-4o"\]\.input: must be a non-negative decimal string/,
    ],
    [
      "typo.yaml",
      "prices:\n  openai/gpt-4o:\n    input: 1\n    output: 2\n    outptu: 3\n",
      /typo\.yaml is invalid: prices\["openai\/gpt-4o"\]: Unrecognized key.*outptu/,
    ],
    [
      "unknown-section.json",
      JSON.stringify({ price: {} }),
      /unknown-section\.json is invalid: \(root\): Unrecognized key.*price/,
    ],
    [
      "overlap.json",
      JSON.stringify({
        prices: {
          "openai/m": [
            { input: "1", output: "1" },
            { input: "2", output: "2", effectiveFrom: "2026-01-01" },
          ],
        },
      }),
      /overlap\.json: "openai\/m" has overlapping price versions/,
    ],
    [
      "tiers.json",
      JSON.stringify({
        prices: { "openai/m": { input: "1", output: "1", tiers: [{ aboveTokens: 0, input: "2" }] } },
      }),
      /tiers\.json is invalid: prices\["openai\/m"\]\.tiers\[0\]\.aboveTokens: must be above 0/,
    ],
  ])("rejects %s with the file, the key and the reason", (name, text, message) => {
    const path = file(name, text);
    expect(() => createPricer({ file: path })).toThrow(TokenLedgerConfigError);
    expect(() => createPricer({ file: path })).toThrow(message);
  });

  it("names a missing file", () => {
    expect(() => createPricer({ file: join(dir, "nope.yaml") })).toThrow(
      /pricing overrides file .*nope\.yaml cannot be read: ENOENT/,
    );
  });
});

describe("through the tracker", () => {
  it("prices events with the user's pricer", async () => {
    const pricer = createPricer({
      litellmCachePath: false,
      overrides: { "openai/house-model": { input: "1", output: "3" } },
    });
    const { tracker, flushed } = captureTracker({ pricer });
    try {
      tracker.record({
        provider: "openai",
        model: "house-model",
        usage: { uncachedInputTokens: 1000, outputTokens: 1000 },
      });
      const [event] = await flushed();
      expect(event).toMatchObject({
        costUsd: "0.004",
        pricingKey: "override:openai/house-model",
        unpriced: false,
      });
    } finally {
      await tracker.shutdown();
    }
  });
});
