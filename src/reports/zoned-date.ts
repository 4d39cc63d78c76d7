import { wallTime, zoneOffsetMs } from "../core/time-zone.js";

export { daysInMonth } from "../core/time-zone.js";

/** Wall-clock year/month/day of instant `ms` in `timeZone` (Intl; throws RangeError on an unknown zone). */
export function zonedDate(ms: number, timeZone: string): { year: number; month: number; day: number } {
  const { year, month, day } = wallTime(ms, timeZone);
  return { year, month, day };
}

/** The UTC instant of local midnight starting `year-month-day` in `timeZone`. */
export function zonedMidnight(year: number, month: number, day: number, timeZone: string): Date {
  const wall = Date.UTC(year, month - 1, day);
  let guess = wall;
  // Two passes settle the offset even when midnight is near a DST change.
  for (let i = 0; i < 2; i++) guess = wall - zoneOffsetMs(timeZone, guess);
  return new Date(guess);
}
