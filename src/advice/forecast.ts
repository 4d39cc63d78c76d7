import { Dec } from "../core/money.js";
import type { DailyPoint } from "./daily-series.js";

export interface MonthForecast {
  /** `YYYY-MM`. */
  readonly month: string;
  /** Month to date, today included. */
  readonly spentUsd: string;
  /** Complete days so far (today excluded). */
  readonly completeDays: number;
  readonly daysInMonth: number;
  /** `insufficient_data` under 3 complete days: no projection is given. */
  readonly status: "ok" | "insufficient_data";
  /** Straight line: spent before today / complete days × days in month. */
  readonly linearUsd: string | null;
  /** Median of the last (up to) 7 complete days. */
  readonly recentDailyMedianUsd: string | null;
  /** Spent before today + median × the days left (today included). */
  readonly medianUsd: string | null;
  readonly note: string;
}

/**
 * Month-end spend from the month's daily series (day 1 through today, gap-free; today is partial). Two honest
 * projections and no seasonality: a straight line on the month so far and a robust recent median rate.
 */
export function forecastMonthEnd(monthDays: readonly DailyPoint[], daysInMonth: number): MonthForecast {
  if (monthDays.length === 0) throw new RangeError("forecastMonthEnd: the month has no days");
  const month = monthDays[0]!.date.slice(0, 7);
  const values = monthDays.map((p) => new Dec(p.costUsd));
  const spent = values.reduce((s, v) => s.plus(v), new Dec(0));
  const complete = values.slice(0, -1);
  const before = complete.reduce((s, v) => s.plus(v), new Dec(0));
  const base = { month, spentUsd: spent.toFixed(), completeDays: complete.length, daysInMonth };
  if (complete.length < 3)
    return {
      ...base,
      status: "insufficient_data",
      linearUsd: null,
      recentDailyMedianUsd: null,
      medianUsd: null,
      note: "fewer than 3 complete days this month: no projection",
    };
  const recent = [...complete.slice(-7)].sort((a, b) => a.cmp(b));
  const mid = Math.floor(recent.length / 2);
  const med = recent.length % 2 ? recent[mid]! : recent[mid - 1]!.plus(recent[mid]!).div(2);
  const left = daysInMonth - complete.length;
  return {
    ...base,
    status: "ok",
    linearUsd: before.div(complete.length).times(daysInMonth).toFixed(2),
    recentDailyMedianUsd: med.toFixed(),
    medianUsd: before.plus(med.times(left)).toFixed(2),
    note: "estimate without weekday or trend model; spend changes mid-month are reflected only by the median rate",
  };
}
