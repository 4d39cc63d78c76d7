import { beforeAll, describe, expect, it } from "vitest";
import { Decimal } from "decimal.js";
import { runCli, sandbox, type Sandbox } from "../helpers/cli.js";
import { seedLedger } from "./seed.js";

const usd = (s: string | null) => (s === null ? null : new Decimal(s).toString());

/** Six events whose figures the expectations below are computed from by hand. */
const EVENTS = [
  {
    at: "2026-10-31T22:00:00Z",
    provider: "anthropic",
    model: "claude-sonnet-4-5",
    teamId: "ops",
    sessionId: "s0",
    usage: { uncachedInputTokens: 100, outputTokens: 100 },
    costUsd: "0.1",
  },
  {
    at: "2026-11-01T10:00:00Z",
    teamId: "eng",
    userId: "ana",
    sessionId: "s1",
    usage: { uncachedInputTokens: 1000, outputTokens: 500 },
    costUsd: "0.0075",
  },
  {
    at: "2026-11-01T13:59:00Z",
    teamId: "eng",
    sessionId: "s1",
    usage: { outputTokens: 0 },
    costUsd: "0.001",
  },
  {
    at: "2026-11-01T23:30:00Z",
    provider: "anthropic",
    model: "claude-sonnet-4-5",
    teamId: "eng",
    sessionId: "s1",
    usage: { uncachedInputTokens: 2000, cacheReadTokens: 10000, outputTokens: 1000 },
    costUsd: "0.02",
  },
  {
    at: "2026-11-02T08:00:00Z",
    teamId: "ops",
    sessionId: "s2",
    usage: { uncachedInputTokens: 500, outputTokens: 100 },
    costUsd: "0.00225",
  },
  {
    at: "2026-11-09T12:00:00Z",
    model: "gpt-4o-mini",
    teamId: "eng",
    usage: { uncachedInputTokens: 100, outputTokens: 10 },
    costUsd: null,
  },
];

let box: Sandbox;
beforeAll(async () => {
  box = sandbox();
  await seedLedger(box.ledger, EVENTS);
});

async function json(args: string[]): Promise<any> {
  const r = await runCli(args, { env: box.env });
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

describe.concurrent("tokenledger report", () => {
  it("daily --json in UTC: one row per day with exact costs, and totals", async () => {
    const out = await json(["report", "--period", "daily", "--tz", "UTC", "--json"]);
    expect(out.rows.map((r: any) => [r.period, usd(r.costUsd), r.events])).toEqual([
      ["2026-10-31", "0.1", 1],
      ["2026-11-01", "0.0285", 3],
      ["2026-11-02", "0.00225", 1],
      ["2026-11-09", null, 1],
    ]);
    expect(out.rows[3].unpricedEvents).toBe(1);
    expect(usd(out.totals.costUsd)).toBe("0.13075");
    expect(out.totals).toMatchObject({
      events: 6,
      cacheReadTokens: 10000,
      inputTokens: 13700,
      outputTokens: 1710,
      totalTokens: 15410,
    });
    expect(Object.keys(out.rows[0])).toEqual(
      expect.arrayContaining([
        "period",
        "requests",
        "inputTokens",
        "cacheWriteTokens",
        "reasoningTokens",
        "costUsd",
        "unpricedEvents",
        "errorEvents",
      ]),
    );
  });

  it("--tz moves events across midnight (23:30 UTC is the next day in Paris)", async () => {
    const out = await json(["report", "-p", "daily", "--tz", "Europe/Paris", "--json"]);
    expect(out.rows.map((r: any) => [r.period, usd(r.costUsd)])).toEqual([
      ["2026-10-31", "0.1"],
      ["2026-11-01", "0.0085"],
      ["2026-11-02", "0.02225"],
      ["2026-11-09", null],
    ]);
  });

  it("weekly buckets start on Monday; monthly buckets by calendar month", async () => {
    const weekly = await json(["report", "-p", "weekly", "--tz", "UTC", "--json"]);
    expect(weekly.rows.map((r: any) => [r.period, usd(r.costUsd)])).toEqual([
      ["2026-10-26", "0.1285"],
      ["2026-11-02", "0.00225"],
      ["2026-11-09", null],
    ]);
    const monthly = await json(["report", "-p", "monthly", "--tz", "UTC", "--json"]);
    expect(monthly.rows.map((r: any) => [r.period, usd(r.costUsd)])).toEqual([
      ["2026-10", "0.1"],
      ["2026-11", "0.03075"],
    ]);
  });

  it("--since/--until take dates in --tz, --until inclusive of its day", async () => {
    const out = await json([
      "report",
      "-p",
      "daily",
      "--tz",
      "UTC",
      "--since",
      "2026-11-01",
      "--until",
      "2026-11-01",
      "--json",
    ]);
    expect(out.rows.map((r: any) => r.period)).toEqual(["2026-11-01"]);
    const iso = await json([
      "report",
      "-p",
      "daily",
      "--tz",
      "UTC",
      "--since",
      "2026-11-01T12:00",
      "--until",
      "2026-11-02T00:00Z",
      "--json",
    ]);
    expect(iso.totals.events).toBe(2);
  });

  it("--group-by and repeatable --where filter and group on dimensions", async () => {
    const out = await json([
      "report",
      "-p",
      "monthly",
      "--tz",
      "UTC",
      "--group-by",
      "team",
      "--where",
      "provider=openai",
      "--json",
    ]);
    const byTeam = Object.fromEntries(
      out.rows.map((r: any) => [r.team, [usd(r.costUsd), r.events, r.unpricedEvents]]),
    );
    expect(byTeam).toEqual({ eng: ["0.0085", 3, 1], ops: ["0.00225", 1, 0] });
    const two = await json([
      "report",
      "-p",
      "session",
      "--where",
      "team=eng",
      "--where",
      "team=ops",
      "--where",
      "provider=anthropic",
      "--json",
    ]);
    expect(two.rows.map((r: any) => r.session).sort()).toEqual(["s0", "s1"]);
  });

  it("session period and --breakdown give one row per session and model", async () => {
    const out = await json(["report", "-p", "session", "--breakdown", "--json"]);
    const s1 = out.rows.filter((r: any) => r.session === "s1").map((r: any) => [r.model, usd(r.costUsd)]);
    expect(s1.sort()).toEqual([
      ["claude-sonnet-4-5", "0.02"],
      ["gpt-4o", "0.0085"],
    ]);
  });

  it("blocks: rolling 5-hour windows from the hour of the first event", async () => {
    const out = await json(["report", "-p", "blocks", "--tz", "UTC", "--json"]);
    expect(out.rows.map((r: any) => [r.period, r.blockEnd, usd(r.costUsd), r.events])).toEqual([
      ["2026-10-31T22:00", "2026-11-01T03:00:00.000Z", "0.1", 1],
      ["2026-11-01T10:00", "2026-11-01T15:00:00.000Z", "0.0085", 2],
      ["2026-11-01T23:00", "2026-11-02T04:00:00.000Z", "0.02", 1],
      ["2026-11-02T08:00", "2026-11-02T13:00:00.000Z", "0.00225", 1],
      ["2026-11-09T12:00", "2026-11-09T17:00:00.000Z", null, 1],
    ]);
    expect(usd(out.totals.costUsd)).toBe("0.13075");
  });

  it("--csv prints a header and one line per row; the table has a Total row and flags unpriced cost", async () => {
    const csv = await runCli(["report", "-p", "monthly", "--tz", "UTC", "--csv"], { env: box.env });
    const lines = csv.stdout.trim().split("\n");
    expect(lines[0]!.startsWith("period,requests,events,inputTokens")).toBe(true);
    expect(lines).toHaveLength(3);
    const table = await runCli(["report", "-p", "monthly", "--tz", "UTC"], { env: box.env });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/Total/);
    expect(table.stdout).toMatch(/\$0\.03\*/); // 2026-11: $0.03075 → $0.03, marked unpriced
    expect(table.stderr).toMatch(/1 event\(s\) have no price/);
  });

  it("an empty selection exits 0: [] rows in JSON, a notice on stderr for the table", async () => {
    const out = await json(["report", "--since", "2030-01-01", "--json"]);
    expect(out.rows).toEqual([]);
    const table = await runCli(["report", "--since", "2030-01-01"], { env: box.env });
    expect(table).toMatchObject({ code: 0, stdout: "" });
    expect(table.stderr).toMatch(/No usage found/);
  });
});
