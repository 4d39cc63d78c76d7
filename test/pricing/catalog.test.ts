import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { TokenLedgerConfigError } from "tokenledger";
import { bundledCatalog, parseCatalog } from "../../src/pricing/index.js";
import { isAnthropicLike } from "../../src/pricing/model-id.js";
import { Dec } from "../../src/pricing/decimal.js";

const raw = JSON.parse(readFileSync(new URL("../../src/pricing/catalog.json", import.meta.url), "utf8")) as {
  version: number;
  providers: Record<string, Record<string, unknown>>;
  aliases: Record<string, string>;
};
const clone = () => structuredClone(raw);

describe("bundled catalog", () => {
  it("loads and validates", () => {
    const table = bundledCatalog();
    expect(table.prices.size).toBeGreaterThan(130);
    for (const provider of ["openai", "azure", "anthropic", "gemini", "vertex", "bedrock"]) {
      expect(
        [...table.prices.keys()].some((k) => k.startsWith(`${provider}/`)),
        provider,
      ).toBe(true);
    }
  });

  it("gives every Claude price a 1-hour write of exactly 2× input (tiers included)", () => {
    for (const versions of bundledCatalog().prices.values()) {
      for (const p of versions) {
        if (!isAnthropicLike(p.provider, p.model)) continue;
        expect(p.cacheWrite1h, p.key).toBe(new Dec(p.input).times(2).toFixed());
        for (const t of p.tiers ?? [])
          expect(t.cacheWrite1h, `${p.key} tier`).toBe(new Dec(t.input ?? "0").times(2).toFixed());
      }
    }
  });

  it("records a source for every price", () => {
    for (const versions of bundledCatalog().prices.values())
      for (const p of versions) expect(p.source, p.key).toBeTruthy();
  });
});

describe("malformed catalogs are rejected with the key and the reason", () => {
  const expectError = (doc: unknown, message: RegExp) => {
    expect(() => parseCatalog(doc, "test catalog")).toThrow(TokenLedgerConfigError);
    expect(() => parseCatalog(doc, "test catalog")).toThrow(message);
  };

  it("a negative rate", () => {
    const doc = clone();
    (doc.providers.openai as Record<string, Record<string, unknown>>)["gpt-4o-mini"]!.input = "-0.15";
    expectError(
      doc,
      /test catalog is invalid: providers\.openai\["gpt-4o-mini"\]\.input: must be a non-negative decimal string/,
    );
  });

  it("a float instead of a decimal string", () => {
    const doc = clone();
    (doc.providers.anthropic as Record<string, Record<string, unknown>>)["claude-3-haiku-20240307"]!.output =
      1.25;
    expectError(
      doc,
      /providers\.anthropic\["claude-3-haiku-20240307"\]\.output: must be a non-negative decimal string/,
    );
  });

  it("exponent notation", () => {
    const doc = clone();
    (doc.providers.openai as Record<string, Record<string, unknown>>)["gpt-4"]!.input = "3e1";
    expectError(doc, /\["gpt-4"\]\.input/);
  });

  it("tiers out of order", () => {
    const doc = clone();
    (doc.providers.gemini as Record<string, Record<string, unknown>>)["gemini-2.5-flash"]!.tiers = [
      { aboveTokens: 200000, input: "1", output: "2" },
      { aboveTokens: 128000, input: "1", output: "2" },
    ];
    expectError(doc, /\["gemini-2.5-flash"\]\.tiers: tiers must be in ascending aboveTokens order/);
  });

  it("overlapping dated versions", () => {
    const doc = clone();
    (doc.providers.openai as Record<string, unknown>)["gpt-4o"] = [
      { input: "5", output: "15", effectiveTo: "2024-10-02", source: "a" },
      { input: "2.5", output: "10", effectiveFrom: "2024-09-01", source: "b" },
    ];
    expectError(doc, /"openai\/gpt-4o" has overlapping price versions/);
  });

  it("an unknown field (a typo would otherwise be ignored)", () => {
    const doc = clone();
    (doc.providers.openai as Record<string, Record<string, unknown>>)["gpt-4"]!.cacheRaed = "1";
    expectError(doc, /\["gpt-4"\]: Unrecognized key.*cacheRaed/);
  });

  it("a missing output rate", () => {
    const doc = clone();
    delete (doc.providers.openai as Record<string, Record<string, unknown>>)["gpt-4"]!.output;
    expectError(doc, /\["gpt-4"\]\.output/);
  });

  it("an alias to a model without a price", () => {
    const doc = clone();
    doc.aliases["openai/gpt-x"] = "openai/gpt-missing";
    expectError(doc, /alias "openai\/gpt-x" points at "openai\/gpt-missing", which has no price/);
  });

  it("a wrong version or shape", () => {
    expectError({ ...clone(), version: 2 }, /version: must be 1/);
    expectError([], /test catalog is invalid/);
  });
});
