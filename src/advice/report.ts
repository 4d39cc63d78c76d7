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

  // Anomalies: the window's days judged against up to `windowDays` (default 28) days before each.
  const baselineDays = options.anomaly?.windowDays ?? 28;
  const first = zonedDate(since.getTime(), timeZone);
  const last = ymd(zonedDate(until.getTime() - 1, timeZone));
  const start = zonedMidnight(first.year, first.month, first.day - baselineDays, timeZone);
  const from = ymd(zonedDate(start.getTime(), timeZone));
  const windowFrom = ymd(first);
  const anomalies: ScopedAnomaly[] = [];
  let checked = 0;
  const scopes: (Dimension | "total")[] = ["total", ...(options.anomalyDimensions ?? ["model", "feature"])];
  const byDimension = new Map<Dimension, Map<string, DailyPoint[]>>();
  const found: Omit<ScopedAnomaly, "drivers">[] = [];
  for (const dimension of scopes) {
    const rows = await storage.rollup({
      since: start,
      until,
      bucket: "day",
      timeZone,
      ...(dimension === "total" ? {} : { groupBy: [dimension] }),
    });
    const series = dailySeries(rows.rows, from, last, dimension === "total" ? undefined : dimension);
    if (dimension !== "total") byDimension.set(dimension, series);
    for (const [value, points] of series) {
      const firstSpend = points.findIndex((p) => p.costUsd !== "0");
      const startIdx = Math.max(
        firstSpend + (options.anomaly?.minHistoryDays ?? 7),
        points.findIndex((p) => p.date >= windowFrom),
      );
      if (firstSpend >= 0) checked += Math.max(0, points.length - startIdx);
      for (const p of detectAnomalies(points, { ...options.anomaly, from: windowFrom, anomaliesOnly: true }))
        found.push({ dimension, value, ...p });
    }
  }
  for (const a of found)
    anomalies.push({
      ...a,
      drivers: a.dimension === "total" ? topDrivers(byDimension, a.date, { windowDays: baselineDays }) : [],
    });
  anomalies.sort((a, b) => new Decimal(b.impactUsd).cmp(a.impactUsd) || a.date.localeCompare(b.date));

  // Forecast: the month of the window's last day, day 1 through that day.
  const end = zonedDate(until.getTime() - 1, timeZone);
  const monthStart = zonedMidnight(end.year, end.month, 1, timeZone);
  const monthRows = await storage.rollup({ since: monthStart, until, bucket: "day", timeZone });
  const monthFrom = ymd({ ...end, day: 1 });
  const monthSeries =
    dailySeries(monthRows.rows, monthFrom, last).get("total") ?? emptyMonth(monthFrom, end.day);
  const forecast = forecastMonthEnd(monthSeries, daysInMonth(end.year, end.month));

  return {
    since: since.toISOString(),
    until: until.toISOString(),
    windowDays,
    recommendations,
    anomalies,
    anomalyDaysChecked: checked,
    forecast,
  };
}

function emptyMonth(firstDay: string, days: number) {
  const base = Date.parse(`${firstDay}T00:00:00Z`);
  return Array.from({ length: days }, (_, i) => ({
    date: new Date(base + i * DAY_MS).toISOString().slice(0, 10),
    costUsd: "0",
  }));
}
