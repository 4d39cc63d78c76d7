import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sqliteStorage } from "tokenledger/sqlite";
import { describe, expect, it } from "vitest";
import { recommend } from "../../src/advice/recommend.js";
import { createPricer } from "../../src/pricing/index.js";
import { ledgerEvent, type EventSeed } from "../cli/seed.js";

const pricer = createPricer({ litellmCachePath: false });

function times(n: number, seed: EventSeed): EventSeed[] {
  return Array.from({ length: n }, () => seed);
}

/** Rows as the CLI reads them: a real SQLite ledger file, rolled up by provider, model and feature. */
async function rowsOf(seeds: readonly EventSeed[]) {
  const storage = sqliteStorage({ path: join(mkdtempSync(join(tmpdir(), "tl-advice-")), "ledger.db") });
  await storage.init();
  await storage.insertBatch(seeds.map(ledgerEvent));
  const { rows } = await storage.rollup({ groupBy: ["provider", "model", "feature"] });
  await storage.close();
  return rows;
}

// gpt-4o: input 2.5, cached 1.25, output 10 $/MTok; gpt-4o-mini: 0.15, 0.075, 0.6; batch halves both.
const summaries: EventSeed = {
  at: "2026-11-10T12:00:00Z",
  feature: "summaries",
  usage: { uncachedInputTokens: 1000, cacheReadTokens: 400, outputTokens: 200 },
  costUsd: "0.0050", // 1000×2.5 + 400×1.25 + 200×10 per 1M
  unpriced: false,
};

describe("recommend (savings from the ledger's own token mix)", () => {
  it("downgrade and batch figures equal the hand calculation", async () => {
    const rows = await rowsOf(times(100, summaries));
    const recs = recommend(rows, {
      pricer,
      windowDays: 30,
      batchFeatures: ["summaries"],
      minMonthlySavingsUsd: "0",
    });
    // totals: 100 000 uncached, 40 000 cached, 20 000 output
    // current  = 0.1 × 2.5 + 0.04 × 1.25 + 0.02 × 10   = 0.25 + 0.05 + 0.2     = 0.5
    // mini     = 0.1 × 0.15 + 0.04 × 0.075 + 0.02 × 0.6 = 0.015 + 0.003 + 0.012 = 0.03
    // batch    = 0.5 / 2 = 0.25
    const downgrade = recs.find((r) => r.type === "model_downgrade")!;
    expect(downgrade).toMatchObject({
      scope: { provider: "openai", model: "gpt-4o", feature: "summaries" },
      savingsUsd: "0.47",
      estMonthlySavingsUsd: "0.47",
      confidence: "low",
    });
    expect(downgrade.evidence).toMatchObject({
      requests: 100,
      uncachedInputTokens: 100_000,
      cacheReadTokens: 40_000,
      outputTokens: 20_000,
      avgOutputTokens: 200,
      recordedCostUsd: "0.5",
      currentCostUsd: "0.5",
      alternativeCostUsd: "0.03",
      currentPricingKey: "openai/gpt-4o",
      alternativePricingKey: "openai/gpt-4o-mini",
    });
    expect(downgrade.caveat).toMatch(/10%/);
    const batch = recs.find((r) => r.type === "batch")!;
    expect(batch).toMatchObject({ savingsUsd: "0.25", estMonthlySavingsUsd: "0.25" });
    expect(batch.evidence.alternativeCostUsd).toBe("0.25");
    expect(recs.map((r) => r.type)).toEqual(["model_downgrade", "batch"]); // biggest saving first
  });

  it("scales the window's saving to a 30-day month", async () => {
    const rows = await rowsOf(times(100, summaries));
    const [r] = recommend(rows, { pricer, windowDays: 10, minMonthlySavingsUsd: "0" });
    expect(r!.savingsUsd).toBe("0.47");
    expect(r!.estMonthlySavingsUsd).toBe("1.41");
  });

  it("never advises on unpriced models, partly unpriced rows, long outputs or undeclared batch work", async () => {
    const rows = await rowsOf([
      ...times(50, { ...summaries, provider: "acme", model: "acme-large", costUsd: null, unpriced: true }),
      ...times(50, { ...summaries, feature: "mixed" }),
      { ...summaries, feature: "mixed", costUsd: null, unpriced: true },
      ...times(50, {
        ...summaries,
        feature: "essays",
        usage: { uncachedInputTokens: 1000, outputTokens: 3000 },
      }),
      ...times(50, { ...summaries, model: "gpt-4o-mini", feature: "cheap" }),
    ]);
    const recs = recommend(rows, {
      pricer,
      windowDays: 30,
      batchFeatures: ["cheap-not-here"],
      minMonthlySavingsUsd: "0",
    });
    expect(recs).toEqual([]);
    // negative control: the long-output feature is advised once the output limit allows it
    const loose = recommend(rows, {
      pricer,
      windowDays: 30,
      maxAvgOutputTokens: 5000,
      minMonthlySavingsUsd: "0",
    });
    expect(loose.map((r) => r.scope.feature)).toEqual(["essays"]);
  });

  it("stays quiet under the monthly floor (default 1 USD)", async () => {
    const rows = await rowsOf(times(100, summaries));
    expect(recommend(rows, { pricer, windowDays: 30 })).toEqual([]);
  });
});
