import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Decimal } from "decimal.js";
import { describe, expect, it } from "vitest";
import type { RollupMeasures, RollupRow } from "tokenledger";
import { blendSubscriptions } from "../../src/cli/report/blended.js";
import { emptyMeasures } from "../../src/cli/report/measures.js";
import { runCli, sandbox } from "../helpers/cli.js";
import { seedLedger } from "./seed.js";

const sub = (o: Partial<{ usdPerMonth: string; seats: number; start: string; end: string }> = {}) => ({
  name: "Claude Max",
  provider: "anthropic",
  seats: o.seats ?? 1,
  usdPerMonth: o.usdPerMonth ?? "300",
  ...(o.start ? { start: o.start } : {}),
  ...(o.end ? { end: o.end } : {}),
});
const row = (period: string, provider: string, m: Partial<RollupMeasures> = {}): RollupRow => ({
  period,
  provider,
  ...emptyMeasures(),
  ...m,
});
const at = (s: string) => new Date(s);

function blend(
  bucket: "day" | "week" | "month",
  since: string,
  until: string,
  subs = [sub()],
  rows: RollupRow[] = [],
) {
  return blendSubscriptions({
    rows,
    totals: emptyMeasures(),
    bucket,
    groupBy: ["provider"],
    subscriptions: subs,
    timeZone: "UTC",
    since: at(since),
    until: at(until),
  });
}
const fees = (r: ReturnType<typeof blend>) =>
  r.rows.map((x) => [x.period, x.provider, x.subscriptionCostUsd]);

describe("subscription proration", () => {
  it("daily rows get usdPerMonth / days-in-that-month each, never the whole month", () => {
    const r = blend("day", "2026-10-30T00:00:00Z", "2026-11-02T00:00:00Z");
    expect(fees(r)).toEqual([
      ["2026-10-30", "anthropic", "9.677419354839"], // 300 / 31
      ["2026-10-31", "anthropic", "9.677419354839"],
      ["2026-11-01", "anthropic", "10"], // 300 / 30
    ]);
    expect(r.totals.subscriptionCostUsd).toBe("29.354838709678");
  });

  it("monthly rows add up to exactly usdPerMonth × seats for full months, prorated for partial ones", () => {
    const r = blend("month", "2026-10-01T00:00:00Z", "2026-12-01T00:00:00Z", [
      sub({ seats: 2, start: "2026-10-01", end: "2026-11-15" }),
    ]);
    expect(fees(r)).toEqual([
      ["2026-10", "anthropic", "600"],
      ["2026-11", "anthropic", "300"], // 15 of 30 days × $600
    ]);
  });

  it("weekly rows sum the days of each month inside the week", () => {
    const r = blend("week", "2026-10-26T00:00:00Z", "2026-11-02T00:00:00Z");
    // Mon 26 Oct .. Sun 1 Nov: 6 × 300/31 + 1 × 300/30
    expect(fees(r)).toEqual([
      ["2026-10-26", "anthropic", new Decimal(300).times(6).div(31).plus(10).toDecimalPlaces(12).toString()],
    ]);
  });

  it("blends into the matching provider row only and computes blended $/MTok from the real token mix", () => {
    const rows = [
      row("2026-11", "anthropic", { totalTokens: 2_000_000, costUsd: "12.5" }),
      row("2026-11", "openai", { totalTokens: 1_000_000, costUsd: "3" }),
    ];
    const r = blend("month", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z", [sub()], rows);
    const anthropic = r.rows.find((x) => x.provider === "anthropic")!;
    expect(anthropic).toMatchObject({
      subscriptionCostUsd: "300",
      totalCostUsd: "312.5",
      blendedUsdPerMTok: "156.25",
    });
    expect(r.rows.find((x) => x.provider === "openai")).toMatchObject({
      subscriptionCostUsd: "0",
      totalCostUsd: "3",
      blendedUsdPerMTok: "3",
    });
  });

  it("grouping that cannot place a subscription leaves it out and says so", () => {
    const r = blendSubscriptions({
      rows: [],
      totals: emptyMeasures(),
      bucket: "month",
      groupBy: ["team"],
      subscriptions: [sub()],
      timeZone: "UTC",
      since: at("2026-11-01T00:00:00Z"),
      until: at("2026-12-01T00:00:00Z"),
    });
    expect(r.skipped).toEqual(["Claude Max"]);
    expect(r.rows).toEqual([]);
  });
});

describe("costs and report with subscriptions (CLI)", () => {
  it("costs --json: metered cost, $/MTok, subscription, total and blended $/MTok per provider and month", async () => {
    const box = sandbox();
    await seedLedger(box.ledger, [
      {
        at: "2026-11-03T10:00:00Z",
        provider: "anthropic",
        model: "claude-sonnet-4-5",
        usage: { uncachedInputTokens: 3000, cacheReadTokens: 9000, outputTokens: 1000 },
        costUsd: "0.02",
      },
      {
        at: "2026-11-04T10:00:00Z",
        provider: "openai",
        model: "gpt-4o",
        teamId: "eng",
        usage: { uncachedInputTokens: 1000, outputTokens: 500 },
        costUsd: "0.0075",
      },
    ]);
    const config = join(box.home, "tl.yaml");
    writeFileSync(
      config,
      "subscriptions:\n  - name: Claude Max\n    provider: anthropic\n    seats: 1\n    usdPerMonth: 300\n    start: 2026-11-01\n",
    );
    const r = await runCli(
      [
        "--config",
        config,
        "costs",
        "--since",
        "2026-11-01",
        "--until",
        "2026-11-30",
        "--tz",
        "UTC",
        "--json",
      ],
      { env: box.env },
    );
    expect(r.stderr).toBe("");
    const out = JSON.parse(r.stdout);
    const anthropic = out.providers.find((p: any) => p.provider === "anthropic");
    expect(anthropic).toMatchObject({
      period: "2026-11",
      totalTokens: 13000,
      costUsd: "0.02",
      usdPerMTok: "1.538462", // 0.02 / 13000 × 1e6
      subscriptionCostUsd: "300",
      totalCostUsd: "300.02",
      blendedUsdPerMTok: "23078.461538", // 300.02 / 13000 × 1e6
    });
    expect(out.providers.find((p: any) => p.provider === "openai")).toMatchObject({
      costUsd: "0.0075",
      usdPerMTok: "5",
      subscriptionCostUsd: "0",
    });
    expect(out.models.map((m: any) => [m.model, m.usdPerMTok])).toEqual([
      ["claude-sonnet-4-5", "1.538462"],
      ["gpt-4o", "5"],
    ]);
    expect(out.totals).toMatchObject({
      costUsd: "0.0275",
      subscriptionCostUsd: "300",
      totalCostUsd: "300.0275",
    });

    const daily = await runCli(
      [
        "--config",
        config,
        "report",
        "-p",
        "daily",
        "--group-by",
        "provider",
        "--since",
        "2026-11-01",
        "--until",
        "2026-11-03",
        "--tz",
        "UTC",
        "--json",
      ],
      { env: box.env },
    );
    const rows = JSON.parse(daily.stdout).rows.filter((x: any) => x.provider === "anthropic");
    // $300 in a 30-day month is $10 a day: every day carries $10, the day with usage as well.
    expect(rows.map((x: any) => [x.period, x.subscriptionCostUsd, x.totalCostUsd])).toEqual([
      ["2026-11-01", "10", "10"],
      ["2026-11-02", "10", "10"],
      ["2026-11-03", "10", "10.02"],
    ]);

    const team = await runCli(
      ["--config", config, "costs", "--team", "eng", "--since", "2026-11-01", "--tz", "UTC", "--json"],
      { env: box.env },
    );
    expect(team.stderr).toMatch(/subscriptions are left out/);
    expect(JSON.parse(team.stdout).totals.subscriptionCostUsd).toBe("0");
  });
});
