import { describe, expect, it } from "vitest";
import { forecastMonthEnd } from "../../src/advice/forecast.js";
import { calendarDays } from "../../src/advice/daily-series.js";

const month = (values: readonly string[]) => {
  const days = calendarDays("2026-11-01", "2026-11-30");
  return values.map((v, i) => ({ date: days[i]!, costUsd: v }));
};

describe("forecastMonthEnd", () => {
  it("projects a steady month exactly: linear and median agree", () => {
    const f = forecastMonthEnd(month([...Array(10).fill("10"), "3"]), 30);
    expect(f).toMatchObject({
      month: "2026-11",
      status: "ok",
      spentUsd: "103",
      completeDays: 10,
      linearUsd: "300.00",
      recentDailyMedianUsd: "10",
      medianUsd: "300.00",
    });
  });

  it("the median rate follows a mid-month step, the straight line lags", () => {
    const f = forecastMonthEnd(month([...Array(10).fill("10"), ...Array(10).fill("30"), "0"]), 30);
    // before today: 400 over 20 days; median of the last 7 days is 30
    expect(f.linearUsd).toBe("600.00");
    expect(f.medianUsd).toBe("700.00");
  });

  it("under 3 complete days gives insufficient_data and no projection", () => {
    const f = forecastMonthEnd(month(["50", "70", "5"]), 30);
    expect(f).toMatchObject({
      status: "insufficient_data",
      spentUsd: "125",
      linearUsd: null,
      medianUsd: null,
    });
  });
});
