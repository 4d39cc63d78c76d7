import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { AdviceReport } from "../../src/advice/report.js";
import { runCli, sandbox } from "../helpers/cli.js";
import { seedLedger, type EventSeed } from "./seed.js";
import { calendarDays } from "../../src/advice/daily-series.js";

/** 2026-09-01..2026-10-30: $20 a day of gpt-4o-mini chat, $200 on 2026-10-20; 100 short gpt-4o summaries on 10-15. */
function ledgerSeeds(): EventSeed[] {
  const seeds: EventSeed[] = calendarDays("2026-09-01", "2026-10-30").map((d) => ({
    at: `${d}T10:00:00Z`,
    model: "gpt-4o-mini",
    feature: "chat",
    usage: { uncachedInputTokens: 10, outputTokens: 10 },
    costUsd: d === "2026-10-20" ? "200" : "20",
    unpriced: false,
  }));
  for (let i = 0; i < 100; i++)
    seeds.push({
      at: "2026-10-15T12:00:00Z",
      model: "gpt-4o",
      feature: "summaries",
      usage: { uncachedInputTokens: 1000, cacheReadTokens: 400, outputTokens: 200 },
      costUsd: "0.005",
      unpriced: false,
    });
  return seeds;
}

describe("tokenledger advice", () => {
  it("reports the saving, the spike in every scope it shows in, and the month-end forecast", async () => {
    const sb = sandbox();
    await seedLedger(sb.ledger, ledgerSeeds());
    const args = [
      "advice",
      "--since",
      "2026-10-01",
      "--until",
      "2026-10-30",
      "--tz",
      "UTC",
      "--min-savings",
      "0.1",
    ];
    const res = await runCli([...args, "--batch-features", "summaries", "--json"], { env: sb.env });
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    const report = JSON.parse(res.stdout) as AdviceReport;
    expect(report.windowDays).toBe(30);
    expect(
      report.recommendations.map((r) => [r.type, r.scope.model, r.savingsUsd, r.estMonthlySavingsUsd]),
    ).toEqual([
      ["model_downgrade", "gpt-4o", "0.47", "0.47"],
      ["batch", "gpt-4o", "0.25", "0.25"],
    ]);
    // equal impact: ties keep scope order (total, then the --anomaly-by dimensions)
    expect(report.anomalies.map((a) => [a.date, a.dimension, a.value, a.actual, a.expected])).toEqual([
      ["2026-10-20", "total", "total", "200", "20"],
      ["2026-10-20", "model", "gpt-4o-mini", "200", "20"],
      ["2026-10-20", "feature", "chat", "200", "20"],
    ]);
    expect(report.anomalies[0]!.drivers).toEqual([
      { dimension: "model", value: "gpt-4o-mini", actual: "200", expected: "20", deltaUsd: "180" },
      { dimension: "feature", value: "chat", actual: "200", expected: "20", deltaUsd: "180" },
    ]);
    expect(report.anomalies[1]!.drivers).toEqual([]);
    expect(report.anomalyDaysChecked).toBeGreaterThan(0);
    // 29 complete days: 28 × 20 + 200 + 0.5 = 760.5; 2 days left at the median 20
    expect(report.forecast).toMatchObject({
      month: "2026-10",
      status: "ok",
      spentUsd: "780.5",
      medianUsd: "800.50",
    });

    const text = await runCli(args, { env: sb.env });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("gpt-4o [summaries] → openai/gpt-4o-mini");
    expect(text.stdout).toContain("2026-10-20 total");
    expect(text.stdout).toContain("drivers: model=gpt-4o-mini +$180.00, feature=chat +$180.00");
    expect(text.stdout).toContain("Forecast 2026-10");
  });

  it("flat spend: no anomalies, and no savings advice without a cheaper priced sibling", async () => {
    const sb = sandbox();
    await seedLedger(
      sb.ledger,
      ledgerSeeds()
        .filter((s) => s.model === "gpt-4o-mini")
        .map((s) => ({ ...s, costUsd: "20" })),
    );
    const res = await runCli(["advice", "--since", "2026-10-01", "--until", "2026-10-30", "--json"], {
      env: sb.env,
    });
    expect(res.code).toBe(0);
    const report = JSON.parse(res.stdout) as AdviceReport;
    expect(report.anomalies).toEqual([]);
    expect(report.anomalyDaysChecked).toBe(90); // 30 days × (total, model, feature)
    expect(report.recommendations).toEqual([]);
  });

  it("never creates a ledger, and names a bad --min-savings", async () => {
    const sb = sandbox();
    const res = await runCli(["advice"], { env: sb.env });
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/no ledger at/);
    expect(existsSync(sb.ledger)).toBe(false);
    const bad = await runCli(["advice", "--min-savings", "lots"], { env: sb.env });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--min-savings/);
  });
});
