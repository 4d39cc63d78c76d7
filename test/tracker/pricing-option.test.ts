import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TokenTracker } from "tokenledger";
import { ScriptedStorage } from "../helpers/scripted-storage.js";

describe("the tracker's pricing option", () => {
  it("prices with the bundled catalog by default (B.5.1: $0.0165) and with user overrides", async () => {
    const storage = new ScriptedStorage();
    const tracker = new TokenTracker({
      storage,
      logger: false,
      autoFlushOnExit: false,
      pricing: { overrides: { "acme/house-model": { input: "1", output: "2" } } },
    });
    tracker.record({
      provider: "anthropic",
      model: "claude-3-5-sonnet-20241022",
      usage: {
        uncachedInputTokens: 1000,
        cacheReadTokens: 5000,
        cacheWrite5mTokens: 2000,
        outputTokens: 300,
      },
    });
    tracker.record({
      provider: "acme",
      model: "house-model",
      usage: { uncachedInputTokens: 1_000_000, outputTokens: 500_000 },
    });
    await tracker.flush();
    const [claude, house] = [...storage.rows.values()];
    expect(claude?.costUsd).toBe("0.0165");
    expect(house?.costUsd).toBe("2");
    expect(house?.pricingKey).toMatch(/^override:/);
    await tracker.shutdown();
  });

  it("a corrupt overrides file is a setup error naming the file", () => {
    const file = join(mkdtempSync(join(tmpdir(), "tl-prices-")), "prices.json");
    writeFileSync(file, '{ "prices": { "openai/gpt-x": { "input": "-3" } } }');
    expect(
      () => new TokenTracker({ storage: new ScriptedStorage(), logger: false, pricing: { file } }),
    ).toThrow(file);
  });
});
