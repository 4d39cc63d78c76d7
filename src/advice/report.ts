import { Decimal } from "decimal.js";
import type { Dimension } from "../core/query.js";
import type { StorageAdapter } from "../core/storage.js";
import { daysInMonth, zonedDate, zonedMidnight } from "../core/calendar.js";
import { detectAnomalies, type AnomalyOptions, type AnomalyPoint } from "./anomalies.js";
import { dailySeries, type DailyPoint } from "./daily-series.js";
import { topDrivers, type Driver } from "./drivers.js";
import { forecastMonthEnd, type MonthForecast } from "./forecast.js";
import type { RatePricer } from "./mix-cost.js";
import { recommend, type Recommendation, type RecommendOptions } from "./recommend.js";

export interface AdviceOptions {
  readonly pricer: RatePricer;
  /** Window start (inclusive); default 30 days before `until`. */
  readonly since?: Date;
  /** Window end (exclusive); default now. */
  readonly until?: Date;
  /** IANA zone of the daily buckets; default UTC. */
  readonly timeZone?: string;
  /** Scopes checked for anomalies besides the total; default model and feature. */
  readonly anomalyDimensions?: readonly Dimension[];
  readonly anomaly?: AnomalyOptions;
  readonly batchFeatures?: RecommendOptions["batchFeatures"];
  readonly minMonthlySavingsUsd?: string;
}

export type ScopedAnomaly = AnomalyPoint & {
  /** `total`, or the dimension the series is split by. */
  readonly dimension: Dimension | "total";
  readonly value: string;
  /** For the total: the 3 model/feature/... values whose own spend rose most that day. Empty for other scopes. */
  readonly drivers: readonly Driver[];
};

export interface AdviceReport {
  readonly since: string;
  readonly until: string;
  readonly windowDays: number;
  readonly recommendations: readonly Recommendation[];
  /** Anomalous days inside the window, most impact first. */
  readonly anomalies: readonly ScopedAnomaly[];
  /** Scopes × days judged (quiet ones included), so "no anomalies" is distinguishable from "nothing checked". */
  readonly anomalyDaysChecked: number;
  /** The month holding the window's last day. */
  readonly forecast: MonthForecast;
}

const DAY_MS = 86_400_000;
const ymd = (d: { year: number; month: number; day: number }) =>
  `${d.year}-${String(d.month).padStart(2, "0")}-${String(d.day).padStart(2, "0")}`;

/** Recommendations, anomalies and the month-end forecast for one window, read through the storage rollups. */
export async function adviceReport(storage: StorageAdapter, options: AdviceOptions): Promise<AdviceReport> {
  const until = options.until ?? new Date();
  const since = options.since ?? new Date(until.getTime() - 30 * DAY_MS);
  if (since >= until)
    throw new RangeError(`advice: since ${since.toISOString()} is not before until ${until.toISOString()}`);
  const timeZone = options.timeZone ?? "UTC";
  const windowDays = (until.getTime() - since.getTime()) / DAY_MS;

  const byModel = await storage.rollup({ since, until, groupBy: ["provider", "model", "feature"] });
  const recommendations = recommend(byModel.rows, {
    pricer: options.pricer,
    windowDays,
    ...(options.batchFeatures ? { batchFeatures: options.batchFeatures } : {}),
    ...(options.minMonthlySavingsUsd ? { minMonthlySavingsUsd: options.minMonthlySavingsUsd } : {}),
  });
  const { anomalies, checked } = await findAnomalies(storage, options, since, until, timeZone);
  return {
    since: since.toISOString(),
    until: until.toISOString(),
    windowDays,
    recommendations,
    anomalies,
    anomalyDaysChecked: checked,
    forecast: await monthForecast(storage, until, timeZone),
  };
}

/** The window's days, in the caller's zone, and the baseline days before them that anomaly checks read. */
interface AnomalyWindow {
  readonly start: Date;
  readonly until: Date;
  readonly timeZone: string;
  /** First baseline day, first judged day and last judged day, `YYYY-MM-DD`. */
  readonly from: string;
  readonly windowFrom: string;
  readonly last: string;
}

/** Anomalies: the window's days judged against up to `windowDays` (default 28) days before each. */
async function findAnomalies(
  storage: StorageAdapter,
  options: AdviceOptions,
  since: Date,
  until: Date,
  timeZone: string,
): Promise<{ anomalies: ScopedAnomaly[]; checked: number }> {
  const baselineDays = options.anomaly?.windowDays ?? 28;
  const first = zonedDate(since.getTime(), timeZone);
  const start = zonedMidnight(first.year, first.month, first.day - baselineDays, timeZone);
  const w: AnomalyWindow = {
    start,
    until,
    timeZone,
    from: ymd(zonedDate(start.getTime(), timeZone)),
    windowFrom: ymd(first),
    last: ymd(zonedDate(until.getTime() - 1, timeZone)),
  };
  let checked = 0;
  const scopes: (Dimension | "total")[] = ["total", ...(options.anomalyDimensions ?? ["model", "feature"])];
  const byDimension = new Map<Dimension, Map<string, DailyPoint[]>>();
  const found: Omit<ScopedAnomaly, "drivers">[] = [];
  for (const dimension of scopes) {
    const series = await scopeSeries(storage, w, dimension);
    if (dimension !== "total") byDimension.set(dimension, series);
    for (const [value, points] of series) {
      checked += daysJudged(points, w.windowFrom, options.anomaly?.minHistoryDays ?? 7);
      for (const p of detectAnomalies(points, {
        ...options.anomaly,
        from: w.windowFrom,
        anomaliesOnly: true,
      }))
        found.push({ dimension, value, ...p });
    }
  }
  // Drivers need every scope's series, so the total's anomalies are explained only after all scopes are read.
  const anomalies: ScopedAnomaly[] = found.map((a) => ({
    ...a,
    drivers: a.dimension === "total" ? topDrivers(byDimension, a.date, { windowDays: baselineDays }) : [],
  }));
  anomalies.sort((a, b) => new Decimal(b.impactUsd).cmp(a.impactUsd) || a.date.localeCompare(b.date));
  return { anomalies, checked };
}

/** One scope's gap-free daily series (baseline days included), keyed by the dimension's value. */
async function scopeSeries(
  storage: StorageAdapter,
  w: AnomalyWindow,
  dimension: Dimension | "total",
): Promise<Map<string, DailyPoint[]>> {
  const rows = await storage.rollup({
    since: w.start,
    until: w.until,
    bucket: "day",
    timeZone: w.timeZone,
    ...(dimension === "total" ? {} : { groupBy: [dimension] }),
  });
  return dailySeries(rows.rows, w.from, w.last, dimension === "total" ? undefined : dimension);
}

/** Days of a series detectAnomalies judges (those inside the window with enough history), for "days checked". */
function daysJudged(points: readonly DailyPoint[], windowFrom: string, minHistoryDays: number): number {
  const firstSpend = points.findIndex((p) => p.costUsd !== "0");
  if (firstSpend < 0) return 0;
  const startIdx = Math.max(
    firstSpend + minHistoryDays,
    points.findIndex((p) => p.date >= windowFrom),
  );
  return Math.max(0, points.length - startIdx);
}

/** Forecast: the month of the window's last day, day 1 through that day. */
async function monthForecast(storage: StorageAdapter, until: Date, timeZone: string): Promise<MonthForecast> {
  const end = zonedDate(until.getTime() - 1, timeZone);
  const monthStart = zonedMidnight(end.year, end.month, 1, timeZone);
  const monthRows = await storage.rollup({ since: monthStart, until, bucket: "day", timeZone });
  const monthFrom = ymd({ ...end, day: 1 });
  const monthSeries =
    dailySeries(monthRows.rows, monthFrom, ymd(end)).get("total") ?? emptyMonth(monthFrom, end.day);
  return forecastMonthEnd(monthSeries, daysInMonth(end.year, end.month));
}

function emptyMonth(firstDay: string, days: number) {
  const base = Date.parse(`${firstDay}T00:00:00Z`);
  return Array.from({ length: days }, (_, i) => ({
    date: new Date(base + i * DAY_MS).toISOString().slice(0, 10),
    costUsd: "0",
  }));
}
