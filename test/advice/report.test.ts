import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { StorageAdapter } from "tokenledger";
import { postgresStorage } from "tokenledger/postgres";
import { sqliteStorage } from "tokenledger/sqlite";
import { adviceReport } from "../../src/advice/report.js";
import { calendarDays } from "../../src/advice/daily-series.js";
import { createPricer } from "../../src/pricing/index.js";
import { describePg, dropSchema, pgUrl, uniqueSchema } from "../helpers/pg.js";
import { ledgerEvent, type EventSeed } from "../cli/seed.js";

const pricer = createPricer({ litellmCachePath: false });

/** Berlin days: $9 a day of team "a" on claude-sonnet-4-5, $90 for team "b" on 2026-11-26 (local). */
function seeds(): EventSeed[] {
  const out: EventSeed[] = calendarDays("2026-10-01", "2026-11-29").map((d) => ({
    at: `${d}T08:00:00+01:00`,
    provider: "anthropic",
    model: "claude-sonnet-4-5",
    teamId: "a",
    feature: "triage",
    usage: { uncachedInputTokens: 2_000_000, outputTokens: 200_000 },
    costUsd: "9",
    unpriced: false,
  }));
  // 00:30 local on the 26th is still the 25th in UTC: the zone decides the day
  out.push({
    ...out[0]!,
    at: "2026-11-26T00:30:00+01:00",
    teamId: "b",
    costUsd: "90",
    usage: { outputTokens: 10 },
  });
  return out;
}

function contract(open: () => Promise<StorageAdapter>) {
  it("finds the spike on its local day with its driver, advises on the priced mix, forecasts the month", async () => {
    const storage = await open();
    await storage.insertBatch(seeds().map(ledgerEvent));
    const report = await adviceReport(storage, {
      pricer,
      since: new Date("2026-10-31T23:00:00Z"), // 2026-11-01 Berlin
      until: new Date("2026-11-29T23:00:00Z"), // through 2026-11-29 Berlin
      timeZone: "Europe/Berlin",
      anomalyDimensions: ["team"],
    });
    await storage.close();
    expect(report.anomalies.map((a) => [a.date, a.dimension, a.value, a.actual, a.expected])).toEqual([
      ["2026-11-26", "total", "total", "99", "9"],
    ]);
    // team "b" has no history (sparse): the total flags it and names it as the driver
    expect(report.anomalies[0]!.drivers).toEqual([
      { dimension: "team", value: "b", actual: "90", expected: "0", deltaUsd: "90" },
    ]);
    // sonnet-4-5 → haiku-4-5 over the window's 29 sonnet days (avg output 200 000 tokens is long: no downgrade)
    expect(report.recommendations).toEqual([]);
    expect(report.forecast).toMatchObject({
      month: "2026-11",
      status: "ok",
      spentUsd: "351",
      completeDays: 28,
    });
    // 28 complete days cost 252 + 90 = 342; median 9 × the 2 days left
    expect(report.forecast.medianUsd).toBe("360.00");
  });
}

describe("adviceReport on SQLite", () => {
  contract(async () => {
    const s = sqliteStorage({ path: join(mkdtempSync(join(tmpdir(), "tl-advice-")), "ledger.db") });
    await s.init();
    return s;
  });
});

describePg("adviceReport on PostgreSQL", () => {
  const schema = uniqueSchema("tl_advice");
  afterAll(() => dropSchema(pgUrl()!, schema));
  contract(async () => {
    const s = postgresStorage({ connectionString: pgUrl()!, schema });
    await s.init();
    return s;
  });
});
