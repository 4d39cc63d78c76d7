import { calendarDays, dailySeries } from "../advice/daily-series.js";
import { projectSpend, type SpendProjection } from "../advice/forecast.js";
import { addDays, periodBounds, zonedDate, zonedMidnight, type CalendarDate } from "../core/calendar.js";
import type { RollupQuery, RollupResult } from "../core/query.js";
import { budgetWindow } from "./period.js";
import { scopeWhere } from "./rebuild.js";
import type { Budget } from "./types.js";

/** What the forecast reads events through (any StorageAdapter). */
export interface RollupSource {
  rollup(q: RollupQuery): Promise<RollupResult>;
}

/** How far back the first spend of a scope is looked for (history starts there: a new scope has none). */
const LOOKBACK_DAYS = 35;

const ymd = (d: CalendarDate) =>
  `${d.year}-${String(d.month).padStart(2, "0")}-${String(d.day).padStart(2, "0")}`;

/** Whole calendar days from `a` to `b` (zone-free: a DST day counts as one). */
const daysBetween = (a: CalendarDate, b: CalendarDate) =>
  Math.round((Date.UTC(b.year, b.month - 1, b.day) - Date.UTC(a.year, a.month - 1, a.day)) / 86_400_000);

/**
 * A period's first day (inclusive) and the day after its last, as calendar dates in the budget's zone. Any
 * `[first, next)` range projects the same way, so a custom period only needs its own two dates here.
 */
export function periodDays(
  budget: Budget,
  at: number,
): { first: CalendarDate; next: CalendarDate; today: CalendarDate } {
  const tz = budget.timeZone;
  const today = zonedDate(at, tz);
  if (budget.period === "custom") {
    // The day after the range's last instant: an end at 2026-03-10T12:00 still counts the 10th as a day.
    const w = budgetWindow(at, budget);
    return { first: zonedDate(w.start, tz), next: addDays(zonedDate(w.end - 1, tz), 1), today };
  }
  const b = periodBounds(at, budget.period, tz, budget.weekStart);
  return { first: b.first, next: zonedDate(b.end, tz), today };
}

/**
 * A budget's period-end forecast at `now` (see `projectSpend`): `periodToDateUsd` is the budget's own spent
 * counter; the daily history (local days in the budget's zone) and today's part come from the recorded events of
 * the scope. History starts at the scope's first day with spend in the last 35 days, so a scope with under 3
 * complete days of spend gets `insufficient_data`.
 */
export async function budgetForecast(
  ledger: RollupSource,
  budget: Budget,
  periodToDateUsd: string,
  now = Date.now(),
): Promise<SpendProjection> {
  const tz = budget.timeZone;
  const { next, today } = periodDays(budget, now);
  const from = addDays(today, -LOOKBACK_DAYS);
  const where = scopeWhere(budget);
  const r = await ledger.rollup({
    since: zonedMidnight(from.year, from.month, from.day, tz),
    until: new Date(now + 1),
    bucket: "day",
    timeZone: tz,
    ...(where ? { where } : {}),
  });
  const days = dailySeries(r.rows, ymd(from), ymd(today)).get("total");
  const values = days?.map((p) => p.costUsd) ?? calendarDays(ymd(from), ymd(today)).map(() => "0");
  const complete = values.slice(0, -1);
  const firstSpend = complete.findIndex((v) => v !== "0");
  return projectSpend({
    periodToDateUsd,
    todayUsd: values.at(-1)!,
    history: firstSpend < 0 ? [] : complete.slice(firstSpend),
    // Past a custom range's end no day is left (the figure is then what was spent).
    daysAfterToday: Math.max(0, daysBetween(today, next) - 1),
  });
}
