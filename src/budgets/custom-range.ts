import { zonedInstant } from "../core/calendar.js";
import type { PeriodWindow } from "./types.js";

/** A local date (`2026-03-01`) or datetime (`2026-03-01T09:00`, `…T09:00:30`): no offset, the zone says where. */
const LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/** The wall-time parts of a local date/datetime, or a reason it is not one (a real calendar date, 00-23 h). */
export function localParts(value: unknown): number[] | string {
  if (typeof value !== "string")
    return "give a local date or datetime such as 2026-03-01 or 2026-03-01T09:00";
  const m = LOCAL.exec(value.trim());
  if (!m)
    return /[zZ]|[+-]\d{2}:?\d{2}$/.test(value)
      ? `${JSON.stringify(value)} has a UTC offset; give local time, it is read in the budget's timeZone`
      : `${JSON.stringify(value)} is not a date (2026-03-01) or local datetime (2026-03-01T09:00)`;
  const [y, mo, d, h = 0, mi = 0, s = 0] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x)));
  const t = new Date(Date.UTC(y!, mo! - 1, d!));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() + 1 !== mo || t.getUTCDate() !== d)
    return `${JSON.stringify(value)} is not a calendar date`;
  if (h! > 23 || mi! > 59 || s! > 59) return `${JSON.stringify(value)} is not a time of day`;
  return [y!, mo!, d!, h!, mi!, s!];
}

/** The instant a validated local date/datetime happens in `timeZone` (a date is its local midnight). */
export function localInstant(value: string, timeZone: string): number {
  const [year, month, day, hour, minute, second] = localParts(value) as number[];
  return zonedInstant(
    { year: year!, month: month!, day: day!, hour: hour!, minute: minute!, second: second! },
    timeZone,
  ).getTime();
}

/** A custom budget's one window: `[start, end)` as instants; the key names the range (`2026-03-01..2026-04-01`). */
export function customWindow(start: string, end: string, timeZone: string): PeriodWindow {
  return { key: `${start}..${end}`, start: localInstant(start, timeZone), end: localInstant(end, timeZone) };
}
