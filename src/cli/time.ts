/**
 * Calendar arithmetic for the CLI's date flags, on top of the core's zone helpers.
 * Calendar dates are `YYYY-MM-DD` strings; instants are `Date`s.
 */
import { zonedInstant } from "../core/calendar.js";
import { daysInMonth, isValidTimeZone, wallTime, type WallTime } from "../core/time-zone.js";

export { daysInMonth, isValidTimeZone, wallTime, zonedInstant, type WallTime };

/** The process's zone, as the operating system reports it. */
export function localTimeZone(): string {
  // Some minimal runtimes report no zone; UTC then, rather than an error on every dated command.
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** `YYYY-MM-DD` of the instant in the zone. */
export function calendarDate(at: Date, timeZone: string): string {
  const w = wallTime(at, timeZone);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}`;
}

/** `YYYY-MM-DD` → parts, or undefined when it is not a real date. */
export function parseCalendarDate(value: string): { year: number; month: number; day: number } | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Date.UTC rolls 2026-02-30 over to March 2; the round trip is what rejects it instead of silently moving it.
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day)
    return undefined;
  return { year, month, day };
}

/** Local midnight of a calendar date in the zone. */
export function startOfDay(date: string, timeZone: string): Date {
  const d = parseCalendarDate(date);
  if (!d) throw new RangeError(`"${date}" is not a YYYY-MM-DD date`);
  return zonedInstant({ ...d, hour: 0, minute: 0, second: 0 }, timeZone);
}

/** Calendar date `days` after `date` (negative goes back). */
export function addDays(date: string, days: number): string {
  const d = parseCalendarDate(date);
  if (!d) throw new RangeError(`"${date}" is not a YYYY-MM-DD date`);
  // Calendar dates have no zone: UTC arithmetic cannot gain or lose an hour across a DST change, so one day is one.
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day + days));
  return `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

/** Monday of the ISO week holding `date`. */
export function weekStart(date: string): string {
  const d = parseCalendarDate(date)!;
  const weekday = (new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay() + 6) % 7; // Monday = 0
  return addDays(date, -weekday);
}

/** The instant starting the wall-clock hour that holds `at`. */
export function startOfHour(at: Date, timeZone: string): Date {
  const w = wallTime(at, timeZone);
  return zonedInstant({ ...w, minute: 0, second: 0 }, timeZone);
}
