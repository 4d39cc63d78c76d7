import { Dec } from "../core/money.js";
import type { Dimension, RollupMeasures, RollupQuery, RollupRow } from "../core/query.js";
import type { StorageAdapter } from "../core/storage.js";
import { TokenLedgerConfigError } from "../core/errors.js";
import { daysInMonth, zonedDate, zonedMidnight } from "../core/calendar.js";

export type ReportFilter = Pick<RollupQuery, "since" | "until" | "where">;

/** Totals over a window: cost (exact string), requests, tokens, unpriced and error counts. */
export async function costTotals(
  storage: StorageAdapter,
  filter: ReportFilter = {},
): Promise<RollupMeasures> {
  return (await storage.rollup({ ...filter })).totals;
}

/** Cost per combination of `dimensions`, most expensive first (optionally bucketed by period). */
export async function costBy(
  storage: StorageAdapter,
  dimensions: readonly Dimension[],
  options: ReportFilter & Pick<RollupQuery, "bucket" | "timeZone" | "orderBy" | "limit"> = {},
): Promise<readonly RollupRow[]> {
  return (await storage.rollup({ ...options, groupBy: dimensions })).rows;
}

/** The `n` most expensive values of one dimension (or by requests/tokens). */
export async function topN(
  storage: StorageAdapter,
  dimension: Dimension,
  n: number,
  options: ReportFilter & { orderBy?: "cost" | "requests" | "tokens" } = {},
): Promise<readonly RollupRow[]> {
  if (!Number.isInteger(n) || n <= 0)
    throw new TokenLedgerConfigError(`topN: n must be a positive integer, got ${String(n)}`);
  return (
    await storage.rollup({ ...options, groupBy: [dimension], orderBy: options.orderBy ?? "cost", limit: n })
  ).rows;
}

export interface MonthEndProjection {
  /** `YYYY-MM` in the zone. */
  readonly month: string;
  readonly spentUsd: string;
  /** Calendar days elapsed, today included. */
  readonly elapsedDays: number;
  readonly remainingDays: number;
  /** spent / elapsedDays, exact to 12 decimals. */
  readonly dailyAverageUsd: string;
  /** spent + dailyAverage × remainingDays. */
  readonly projectedUsd: string;
  readonly unpricedEvents: number;
}

/** Cost so far this month (in `timeZone`) and a straight-line projection to month end. */
export async function monthEndProjection(
  storage: StorageAdapter,
  options: { timeZone?: string; now?: Date; where?: RollupQuery["where"] } = {},
): Promise<MonthEndProjection> {
  const timeZone = options.timeZone ?? "UTC";
  const now = options.now ?? new Date();
  let today: { year: number; month: number; day: number };
  try {
    today = zonedDate(now.getTime(), timeZone);
  } catch {
    throw new TokenLedgerConfigError(
      `monthEndProjection: timeZone "${timeZone}" is not a known IANA time zone`,
    );
  }
  const since = zonedMidnight(today.year, today.month, 1, timeZone);
  const totals = (await storage.rollup({ since, until: now, where: options.where })).totals;
  const spent = new Dec(totals.costUsd);
  const total = daysInMonth(today.year, today.month);
  const elapsedDays = today.day;
  const remainingDays = total - elapsedDays;
  const daily = spent.div(elapsedDays).toDecimalPlaces(12);
  return {
    month: `${today.year}-${String(today.month).padStart(2, "0")}`,
    spentUsd: spent.toFixed(),
    elapsedDays,
    remainingDays,
    dailyAverageUsd: daily.toFixed(),
    projectedUsd: spent.plus(daily.times(remainingDays)).toDecimalPlaces(12).toFixed(),
    unpricedEvents: totals.unpricedEvents,
  };
}
