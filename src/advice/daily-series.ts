import { Decimal } from "decimal.js";
import type { Dimension, RollupRow } from "../core/query.js";

export interface DailyPoint {
  /** `YYYY-MM-DD` (the rollup's day bucket). */
  readonly date: string;
  /** Exact decimal string, USD. */
  readonly costUsd: string;
}

const DAY_MS = 86_400_000;

/** Calendar days from `from` to `to` inclusive (`YYYY-MM-DD`, zone-free calendar arithmetic). */
export function calendarDays(from: string, to: string): string[] {
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  if (Number.isNaN(start) || Number.isNaN(end))
    throw new RangeError(`calendarDays: bad date ${from} or ${to}`);
  const days: string[] = [];
  for (let t = start; t <= end; t += DAY_MS) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

/**
 * Daily cost series per value of `dimension` from rows bucketed by day, every day from `from` to `to` present (a
 * day without events costs 0). A missing value is keyed `(none)`; `dimension` undefined gives one `total` series.
 */
export function dailySeries(
  rows: readonly RollupRow[],
  from: string,
  to: string,
  dimension?: Dimension,
): Map<string, DailyPoint[]> {
  const days = calendarDays(from, to);
  const sums = new Map<string, Map<string, Decimal>>();
  for (const row of rows) {
    if (!row.period) continue;
    const key = dimension ? (row[dimension] ?? "(none)") : "total";
    const byDay = sums.get(key) ?? new Map<string, Decimal>();
    sums.set(key, byDay);
    byDay.set(row.period, (byDay.get(row.period) ?? new Decimal(0)).plus(row.costUsd));
  }
  const out = new Map<string, DailyPoint[]>();
  for (const [key, byDay] of sums)
    out.set(
      key,
      days.map((date) => ({ date, costUsd: (byDay.get(date) ?? new Decimal(0)).toFixed() })),
    );
  return out;
}
