import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseBudget, rebuildBudget } from "tokenledger";
import { sqliteStorage } from "tokenledger/sqlite";
import { projectSpend } from "../../src/advice/forecast.js";
import { calendarDays } from "../../src/advice/daily-series.js";
import { periodDays } from "../../src/budgets/forecast.js";
import { budgetStatus } from "../../src/budgets/status.js";
import { ledgerEvent, type EventSeed } from "../cli/seed.js";

const dir = mkdtempSync(join(tmpdir(), "tl-budget-forecast-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Last 7 complete days: median 10, residuals -2 -1 0 0 1 2 5 → q10 = -1.4, q90 = 3.2 (type-7 interpolation).
const WEEK = ["10", "12", "8", "11", "9", "15", "10"];

describe("projectSpend", () => {
  it("period to date + today's remainder + median × days after; the 80% band from the residuals × √n", () => {
    // n = 3 days after today + today = 4 → √n = 2
    const p = projectSpend({
      periodToDateUsd: "50",
      todayUsd: "4",
      history: ["999", ...WEEK],
      daysAfterToday: 3,
    });
    expect(p).toEqual({
      status: "ok",
      historyDays: 7,
      dailyMedianUsd: "10",
      forecastUsd: "86.00", // 50 + (10 - 4) + 3 × 10; the 999 is older than 7 days
      lowUsd: "83.20", // 86 - 2 × 1.4
      highUsd: "92.40", // 86 + 2 × 3.2
    });
  });

  it("a today already above the median adds nothing more for today", () => {
    const p = projectSpend({ periodToDateUsd: "50", todayUsd: "14", history: WEEK, daysAfterToday: 3 });
    expect(p.forecastUsd).toBe("80.00");
  });

  it("under 3 days of history gives insufficient_data and no figures", () => {
    expect(
      projectSpend({ periodToDateUsd: "5", todayUsd: "1", history: ["2", "2"], daysAfterToday: 9 }),
    ).toEqual({
      status: "insufficient_data",
      historyDays: 2,
      dailyMedianUsd: null,
      forecastUsd: null,
      lowUsd: null,
      highUsd: null,
    });
  });
});

/** Team spend at 23:30 local each day: a UTC day bucket would put every one on the next day. */
function seeds(
  team: string,
  days: readonly string[],
  costs: readonly string[],
  offset: (d: string) => string,
) {
  return days.map((d, i): EventSeed => ({
    at: `${d}T23:30:00${offset(d)}`,
    teamId: team,
    costUsd: costs[i]!,
    unpriced: false,
  }));
}

describe("budget status forecast (SQLite, America/New_York, March 2026 with its 23-hour 8th)", () => {
  const ny = (d: string) => (d >= "2026-03-08" ? "-04:00" : "-05:00");
  const now = Date.parse("2026-03-10T15:00:00-04:00");

  it("projects the month from the scope's own local days, and refuses under 3 days of history", async () => {
    const storage = sqliteStorage({ path: join(dir, "ny.db") });
    await storage.init();
    const events = [
      ...seeds("a", calendarDays("2026-02-24", "2026-03-02"), Array(7).fill("100"), ny),
      ...seeds("a", calendarDays("2026-03-03", "2026-03-09"), WEEK, ny),
      { at: "2026-03-10T09:00:00-04:00", teamId: "a", costUsd: "4", unpriced: false },
      { at: "2026-03-05T12:00:00-05:00", teamId: "b", costUsd: "1000", unpriced: false }, // other scope
      ...seeds("c", ["2026-03-08", "2026-03-09"], ["3", "3"], ny),
    ];
    await storage.insertBatch(events.map(ledgerEvent));
    const budget = (id: string, team: string) =>
      parseBudget({
        id,
        scope: "team",
        scopeId: team,
        period: "month",
        amountUsd: "400",
        timeZone: "America/New_York",
      });
    const a = budget("a-month", "a");
    const c = budget("c-month", "c");
    for (const b of [a, c]) {
      await storage.budgets.put(b);
      await rebuildBudget(storage.budgets, storage, b, now);
    }

    const s = await budgetStatus(storage.budgets, a, { ledger: storage, now });
    // March 1-2 (2 × 100) + March 3-9 (75) + today 4; 21 days after the 10th, √22 widens the band
    expect(s).toMatchObject({ periodKey: "2026-03", spentUsd: "279", forecastUsd: "495.00" });
    expect(s.forecast).toEqual({
      status: "ok",
      historyDays: 7,
      dailyMedianUsd: "10",
      forecastUsd: "495.00", // 279 + (10 - 4) + 21 × 10
      lowUsd: "488.43", // 495 - 1.4 × √22
      highUsd: "510.01", // 495 + 3.2 × √22
    });

    const none = await budgetStatus(storage.budgets, c, { ledger: storage, now });
    expect(none.forecastUsd).toBeNull();
    expect(none.forecast).toMatchObject({ status: "insufficient_data", historyDays: 2 });
    // without a ledger there is no history to read: no forecast at all
    expect(await budgetStatus(storage.budgets, a, { now })).not.toHaveProperty("forecast");
    await storage.close();
  });

  it("counts the days left on the calendar, not in 24-hour steps", () => {
    const b = (period: string) =>
      parseBudget({ scope: "org", period, amountUsd: "1", timeZone: "America/New_York", weekStart: 1 });
    const at = Date.parse("2026-03-07T12:00:00-05:00"); // Saturday before the change
    expect(periodDays(b("month"), at)).toMatchObject({ today: { day: 7 }, next: { month: 4, day: 1 } });
    expect(periodDays(b("week"), at)).toMatchObject({ first: { day: 2 }, next: { day: 9 } });
    expect(periodDays(b("day"), at).next).toEqual({ year: 2026, month: 3, day: 8 });
  });
});
