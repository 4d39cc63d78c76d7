import { readFileSync } from "node:fs";
import { findProvider } from "@pydantic/genai-prices";
import { describe, expect, it } from "vitest";
import { compareTables } from "../../src/pricing/audit.js";
import { broadLayer } from "../../src/pricing/broad.js";
import {
  PROVIDER_NAMESPACES,
  convertGenaiPrices,
  type GenaiProvider,
} from "../../src/pricing/broad-convert.js";
import { bundledCatalog, createPricer } from "../../src/pricing/index.js";
import broadDoc from "../../src/pricing/broad.json" with { type: "json" };
import reviewed from "../../src/pricing/broad-reviewed.json" with { type: "json" };
import { catalogPricer, keyOf, priceOf, usage } from "./price-helpers.js";

const AT = new Date("2026-12-01T00:00:00Z");
const curatedOnly = createPricer({ litellmCachePath: false, broad: false });

describe("broad layer under the curated catalog", () => {
  it("prices the 2026 models the catalog lacks, and records that the broad layer priced them", () => {
    // gpt-5.5 $5 in / $30 out below its 272k tier: 200,000 × 5 + 1,000,000 × 30 per 1M = $1 + $30.
    const u = usage({ uncachedInputTokens: 200_000, outputTokens: 1_000_000 });
    expect(priceOf("openai", "gpt-5.5", u, { at: AT })).toBe("31");
    expect(keyOf("openai", "gpt-5.5", { at: AT })).toBe("broad:openai/gpt-5.5");
    expect(keyOf("anthropic", "claude-opus-4-6-20260205", { at: AT })).toBe(
      "broad:anthropic/claude-opus-4-6",
    );
    expect(keyOf("gemini", "gemini-3-pro-preview-11-2025", { at: AT })).toBe(
      "broad:gemini/gemini-3-pro-preview",
    );
    expect(keyOf("openai", "gpt-realtime", { at: AT })).toBe("broad:openai/gpt-realtime");
    // Negative control: without the broad layer the same models are unpriced (null, never 0).
    expect(priceOf("openai", "gpt-5.5", u, { at: AT, pricer: curatedOnly })).toBeNull();
    expect(priceOf("anthropic", "claude-opus-4-6", u, { at: AT, pricer: curatedOnly })).toBeNull();
  });

  it("lets a curated price win even when the id is only known to the broad layer (gpt-5-codex → catalog gpt-5)", () => {
    // genai-prices aliases gpt-5-codex to gpt-5; the curated gpt-5 (with flex/priority rates) must price it.
    expect(keyOf("openai", "gpt-5-codex", { at: AT })).toBe("openai/gpt-5");
    const u = usage({ uncachedInputTokens: 1_000_000, outputTokens: 1_000_000 });
    expect(priceOf("openai", "gpt-5-codex", u, { at: AT, serviceTier: "priority" })).toBe("22.5");
  });

  it("keeps unknown models unpriced: null cost and no pricing key", () => {
    const r = catalogPricer.price({
      provider: "anthropic",
      model: "claude-haiku-5-5",
      requestedModel: null,
      usage: usage({ uncachedInputTokens: 100, outputTokens: 10 }),
      serviceTier: null,
      batch: false,
      at: AT,
    });
    expect(r).toEqual({ costUsd: null, pricingKey: null });
  });

  it("resolves a Gemini preview snapshot to a priced preview before guessing the GA model", () => {
    // gemini-2.5-flash-preview-05-20 was $0.15/$0.60, not the GA $0.30/$2.50.
    const u = usage({ uncachedInputTokens: 1_000_000, outputTokens: 1_000_000 });
    expect(priceOf("gemini", "gemini-2.5-flash-preview-05-20", u, { at: AT })).toBe("0.75");
    // No preview price anywhere: the GA base is the last resort.
    expect(keyOf("gemini", "gemini-2.5-pro-preview-05-06", { at: AT })).toBe("gemini/gemini-2.5-pro");
    expect(keyOf("gemini", "gemini-2.5-flash-latest", { at: AT })).toBe("gemini/gemini-2.5-flash");
  });
});

interface Reviewed {
  readonly differences: Record<
    string,
    { broadKey: string; reason: string; fields: Record<string, { catalog: string; broad: string }> }
  >;
}

describe("reviewed differences between the curated catalog and the broad layer", () => {
  it("lists every disagreement larger than a rounding step, with both values and a reason", () => {
    const { differences, matched } = compareTables(bundledCatalog(), broadLayer(), AT);
    expect(matched).toBeGreaterThan(100);
    const actual = Object.fromEntries(
      differences.map((d) => [
        d.key,
        {
          broadKey: d.otherKey,
          fields: Object.fromEntries(d.differences.map((x) => [x.field, { catalog: x.a, broad: x.b }])),
        },
      ]),
    );
    const listed = Object.fromEntries(
      Object.entries((reviewed as Reviewed).differences).map(([k, v]) => [
        k,
        { broadKey: v.broadKey, fields: v.fields },
      ]),
    );
    // A new disagreement (or a stale entry) fails here: add it to src/pricing/broad-reviewed.json with a reason.
    expect(actual).toEqual(listed);
    for (const [key, v] of Object.entries((reviewed as Reviewed).differences))
      expect(v.reason.length, `${key} needs a reason`).toBeGreaterThan(20);
  });

  it("was reviewed against the pinned data version", () => {
    expect((reviewed as { dataVersion: string }).dataVersion).toBe(broadLayer().dataVersion);
    const pinned = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
      devDependencies: Record<string, string>;
    };
    expect(broadLayer().dataVersion).toBe(
      `@pydantic/genai-prices@${pinned.devDependencies["@pydantic/genai-prices"]}`,
    );
  });
});

describe("broad.json is what `npm run prices:broad` makes from the pinned package", () => {
  it("matches a fresh conversion (only the generation date may differ)", () => {
    const providers = Object.keys(PROVIDER_NAMESPACES).map(
      (id) => findProvider({ providerId: id }) as unknown as GenaiProvider,
    );
    const version = broadLayer().dataVersion?.split("@").pop() ?? "";
    const { document } = convertGenaiPrices(providers, {
      packageVersion: version,
      updated: broadDoc.updated,
    });
    expect(JSON.parse(JSON.stringify(document))).toEqual(broadDoc);
  });
});

describe("convertGenaiPrices", () => {
  const provider = (id: string, models: GenaiProvider["models"]): GenaiProvider => ({
    id,
    pricing_urls: [`https://example.test/${id}`],
    models,
  });

  it("turns per-field tiers into whole-request tiers and floats into exact decimal strings", () => {
    const { document } = convertGenaiPrices(
      [
        provider("openai", [
          {
            id: "m",
            match: { or: [{ equals: "m" }, { equals: "m-2026-01-01" }] },
            prices: {
              input_mtok: { base: 2.5, tiers: [{ start: 271999, price: 5 }] },
              cache_read_mtok: 0.25,
              output_mtok: { base: 15, tiers: [{ start: 271999, price: 22.5 }] },
              web_searches_kcount: 10,
              input_image_mtok: 8,
            },
          },
        ]),
      ],
      { packageVersion: "9.9.9", updated: "2026-12-01" },
    );
    expect(document.providers.openai?.m).toEqual({
      input: "2.5",
      cacheRead: "0.25",
      output: "15",
      webSearchPerRequest: "0.01",
      tiers: [{ aboveTokens: 271999, input: "5", cacheRead: "0.25", output: "22.5" }],
      batchMultiplier: "0.5",
      source: "https://example.test/openai (via @pydantic/genai-prices 9.9.9)",
    });
    expect(document.aliases["openai/m-2026-01-01"]).toBe("openai/m");
  });

  it("never imports $0 as a price, and keeps dated versions", () => {
    const { document, skipped } = convertGenaiPrices(
      [
        provider("anthropic", [
          { id: "free", match: { equals: "free" }, prices: { input_mtok: 0, output_mtok: 0 } },
          {
            id: "dated",
            match: { equals: "dated" },
            prices: [
              { prices: { input_mtok: 10, output_mtok: 50 } },
              {
                constraint: { type: "start_date", start_date: "2026-03-13" },
                prices: { input_mtok: 5, output_mtok: 25 },
              },
            ],
          },
        ]),
      ],
      { packageVersion: "1", updated: "2026-12-01" },
    );
    expect(document.providers.anthropic?.free).toBeUndefined();
    expect(skipped).toEqual(["anthropic/free: listed at $0 (left unpriced)"]);
    expect(document.providers.anthropic?.dated).toMatchObject([
      { input: "10", effectiveTo: "2026-03-13" },
      { input: "5", effectiveFrom: "2026-03-13" },
    ]);
  });

  it("keys Bedrock models at the global price with the geographic-profile multiplier", () => {
    const { document } = convertGenaiPrices(
      [
        provider("aws", [
          {
            id: "global.anthropic.claude-x-v1:0",
            match: { contains: "global.anthropic.claude-x" },
            prices: { input_mtok: 5, output_mtok: 25, cache_read_mtok: 0.5 },
          },
          {
            id: "regional.anthropic.claude-x-v1:0",
            match: { or: [{ starts_with: "anthropic.claude-x" }, { contains: "us.anthropic.claude-x" }] },
            prices: { input_mtok: 5.5, output_mtok: 27.5, cache_read_mtok: 0.55 },
          },
        ]),
      ],
      { packageVersion: "1", updated: "2026-12-01" },
    );
    expect(document.providers.bedrock?.["anthropic.claude-x-v1:0"]).toMatchObject({
      input: "5",
      regionalMultiplier: "1.1",
    });
    expect(document.aliases["bedrock/anthropic.claude-x"]).toBe("bedrock/anthropic.claude-x-v1:0");
    // The us. id keeps its prefix so the multiplier applies; it is not aliased to the global price.
    expect(document.aliases["bedrock/us.anthropic.claude-x"]).toBeUndefined();
  });
});
