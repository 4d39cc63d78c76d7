import { Dec } from "../core/money.js";
import type { DailyPoint } from "./daily-series.js";

/** Days of history the median rate is taken over, and the fewest that give a projection. */
export const FORECAST_WINDOW_DAYS = 7;
export const FORECAST_MIN_DAYS = 3;

export interface SpendProjectionInput {
  /** Spent in the period so far, today included (decimal USD). */
  readonly periodToDateUsd: string;
  /** Spent today so far (part of `periodToDateUsd`). */
  readonly todayUsd: string;
  /** Complete days before today, oldest first (only the last 7 are used); they may predate the period. */
  readonly history: readonly string[];
  /** Whole local days left in the period after today (a DST day still counts as one). */
  readonly daysAfterToday: number;
}

/** A period-end projection; every amount is a decimal USD string, null under `insufficient_data`. */
export interface SpendProjection {
  /** `insufficient_data` under 3 days of history: no projection is given. */
  readonly status: "ok" | "insufficient_data";
  /** Days of history used (at most 7). */
  readonly historyDays: number;
  readonly dailyMedianUsd: string | null;
  /** Period to date + today's remainder + days after today × the median. */
  readonly forecastUsd: string | null;
  /** 80 % interval (10th to 90th percentile), see `projectSpend`. */
  readonly lowUsd: string | null;
  readonly highUsd: string | null;
}

/** Median (mean of the middle two for an even count) of a non-empty list. */
export function medianOf(values: readonly Dec[]): Dec {
  const s = [...values].sort((a, b) => a.cmp(b));
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : s[mid - 1]!.plus(s[mid]!).div(2);
}

/** Linear-interpolated quantile of a sorted list (Hyndman & Fan type 7, the R and NumPy default). */
function quantile(sorted: readonly Dec[], p: number): Dec {
  const pos = new Dec(sorted.length - 1).times(p);
  const lo = pos.floor().toNumber();
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]!.plus(sorted[hi]!.minus(sorted[lo]!).times(pos.minus(lo)));
}

/**
 * Period-end spend: the period to date, plus what today still adds if it stays under the median rate
 * (max(0, median − today so far)), plus the median of the last (up to) 7 complete days for each day after today.
 * The median ignores one-off spikes; there is no weekday or trend model.
 *
 * The 80 % interval comes from the daily residuals (each history day minus the median): their 10th and 90th
 * percentiles q10 ≤ 0 ≤ q90 are one day's error band, and the `n` days still open (today and those after it)
 * widen it by √n, as a sum of independent daily errors does: [forecast + √n·q10, forecast + √n·q90], the low
 * end never below what is already spent. With 3–7 residuals the band is rough, and a trend (days not
 * independent) makes the truth fall outside it more often than 1 time in 5.
 */
export function projectSpend(input: SpendProjectionInput): SpendProjection {
  const history = input.history.slice(-FORECAST_WINDOW_DAYS).map((v) => new Dec(v));
  if (history.length < FORECAST_MIN_DAYS)
    return {
      status: "insufficient_data",
      historyDays: history.length,
      dailyMedianUsd: null,
      forecastUsd: null,
      lowUsd: null,
      highUsd: null,
    };
  const med = medianOf(history);
  const toDate = new Dec(input.periodToDateUsd);
  const forecast = toDate.plus(Dec.max(0, med.minus(input.todayUsd))).plus(med.times(input.daysAfterToday));
  const residuals = history.map((v) => v.minus(med)).sort((a, b) => a.cmp(b));
  const spread = new Dec(input.daysAfterToday + 1).sqrt();
  const low = Dec.max(toDate, forecast.plus(quantile(residuals, 0.1).times(spread)));
  const high = forecast.plus(quantile(residuals, 0.9).times(spread));
  return {
    status: "ok",
    historyDays: history.length,
    dailyMedianUsd: med.toFixed(),
    forecastUsd: forecast.toFixed(2),
    lowUsd: low.toFixed(2),
    highUsd: high.toFixed(2),
  };
}

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
  /** `projectSpend`: month to date + today's remainder up to the median + median × the days after today. */
  readonly medianUsd: string | null;
  /** The 80 % interval around `medianUsd` (see `projectSpend`). */
  readonly lowUsd: string | null;
  readonly highUsd: string | null;
  readonly note: string;
}

/**
 * Month-end spend from the month's daily series (day 1 through today, gap-free; today is partial). Two honest
 * projections and no seasonality: a straight line on the month so far and a robust recent median rate
 * (`projectSpend`, the same one budget status uses, with history limited to this month's complete days).
 */
export function forecastMonthEnd(monthDays: readonly DailyPoint[], daysInMonth: number): MonthForecast {
  if (monthDays.length === 0) throw new RangeError("forecastMonthEnd: the month has no days");
  const month = monthDays[0]!.date.slice(0, 7);
  const values = monthDays.map((p) => new Dec(p.costUsd));
  const spent = values.reduce((s, v) => s.plus(v), new Dec(0));
  const complete = values.slice(0, -1);
  const before = complete.reduce((s, v) => s.plus(v), new Dec(0));
  const base = { month, spentUsd: spent.toFixed(), completeDays: complete.length, daysInMonth };
  const p = projectSpend({
    periodToDateUsd: spent.toFixed(),
    todayUsd: values.at(-1)!.toFixed(),
    history: complete.map((v) => v.toFixed()),
    daysAfterToday: daysInMonth - monthDays.length,
  });
  if (p.status === "insufficient_data")
    return {
      ...base,
      status: "insufficient_data",
      linearUsd: null,
      recentDailyMedianUsd: null,
      medianUsd: null,
      lowUsd: null,
      highUsd: null,
      note: "fewer than 3 complete days this month: no projection",
    };
  return {
    ...base,
    status: "ok",
    linearUsd: before.div(complete.length).times(daysInMonth).toFixed(2),
    recentDailyMedianUsd: p.dailyMedianUsd,
    medianUsd: p.forecastUsd,
    lowUsd: p.lowUsd,
    highUsd: p.highUsd,
    note: "estimate without weekday or trend model; spend changes mid-month are reflected only by the median rate",
  };
}
