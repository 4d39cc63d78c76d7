/**
 * Calendar arithmetic in an IANA zone: local midnights, days, weeks and months as real instants.
 * One home for it: reports, advice, budgets and the CLI all ask "when does this local day start?", and the
 * answer must be the same everywhere, including across DST changes (a local day is 23, 24 or 25 hours).
 */
import { wallTime, zoneOffsetMs, type WallTime } from "./time-zone.js";

export { daysInMonth } from "./time-zone.js";

const DAY_MS = 86_400_000;

/** A date on the wall calendar, without a zone. */
export interface CalendarDate {
  readonly year: number;
  readonly month: number; // 1-12
  readonly day: number;
}

export type CalendarPeriod = "day" | "week" | "month";

/** Wall-clock date of instant `ms` in `timeZone` (throws RangeError on an unknown zone). */
export function zonedDate(ms: number, timeZone: string): CalendarDate {
  const { year, month, day } = wallTime(ms, timeZone);
  return { year, month, day };
}

/**
 * The instant a wall-clock time happens in the zone. Ambiguous times resolve as Temporal's "compatible"
 * rule does: in a fall-back overlap the earlier instant, in a spring-forward gap the time shifted forward by
 * the gap (so a midnight skipped by DST, as in America/Santiago, starts the day at 01:00, never on the day before).
 */
export function zonedInstant(w: WallTime, timeZone: string): Date {
  const wall = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  // The true instant is within 14 hours of `wall` read as UTC: offsets a day either side bracket it,
  // and no zone changes its offset twice within two days.
  const before = zoneOffsetMs(timeZone, wall - DAY_MS);
  const after = zoneOffsetMs(timeZone, wall + DAY_MS);
  if (before === after) return new Date(wall - before);
  const early = wall - before;
  const late = wall - after;
  const earlyValid = zoneOffsetMs(timeZone, early) === before;
  const lateValid = zoneOffsetMs(timeZone, late) === after;
  if (earlyValid && lateValid) return new Date(Math.min(early, late)); // overlap
  if (lateValid) return new Date(late);
  return new Date(early); // valid, or a gap: the pre-change offset lands just past the change
}

/**
 * The instant local midnight starts `year-month-day` in `timeZone`. Out-of-range parts roll over as in
 * `Date.UTC` (day 0 is the last day of the previous month, month 13 is January of the next year).
 */
export function zonedMidnight(year: number, month: number, day: number, timeZone: string): Date {
  const d = new Date(Date.UTC(year, month - 1, day));
  const date = { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
  return zonedInstant({ ...date, hour: 0, minute: 0, second: 0 }, timeZone);
}

/** The calendar date `days` after `date` (negative goes back), across month and year ends. */
export function addDays(date: CalendarDate, days: number): CalendarDate {
  const t = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

/** ISO weekday: Monday 1 … Sunday 7. */
export function isoWeekday(date: CalendarDate): number {
  return ((new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay() + 6) % 7) + 1;
}

export interface PeriodBounds {
  /** The period's first calendar day. */
  readonly first: CalendarDate;
  /** Local midnight starting the period (UTC ms, inclusive). */
  readonly start: number;
  /** Local midnight starting the next period (UTC ms, exclusive). */
  readonly end: number;
}

/**
 * The day, week or month holding instant `at` in `timeZone`, as real instants. A week starts on
 * `weekStart` (ISO weekday, default Monday); a month on the 1st.
 */
export function periodBounds(
  at: number,
  period: CalendarPeriod,
  timeZone: string,
  weekStart = 1,
): PeriodBounds {
  const today = zonedDate(at, timeZone);
  let first: CalendarDate;
  let next: CalendarDate;
  if (period === "day") {
    first = today;
    next = addDays(today, 1);
  } else if (period === "week") {
    first = addDays(today, -((isoWeekday(today) - weekStart + 7) % 7));
    next = addDays(first, 7);
  } else {
    first = { year: today.year, month: today.month, day: 1 };
    next =
      today.month === 12 ? { year: today.year + 1, month: 1, day: 1 } : { ...first, month: today.month + 1 };
  }
  const midnight = (d: CalendarDate) => zonedMidnight(d.year, d.month, d.day, timeZone).getTime();
  return { first, start: midnight(first), end: midnight(next) };
}
