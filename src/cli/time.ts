/**
 * Wall-clock arithmetic in an IANA zone with nothing but `Intl` (no date library is installed).
 * Calendar dates are `YYYY-MM-DD` strings; instants are `Date`s.
 */

export interface WallTime {
  readonly year: number;
  readonly month: number; // 1-12
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when `Intl` knows the zone (`UTC`, `Europe/Paris`, ...). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The process's zone, as the operating system reports it. */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

export function wallTime(at: Date, timeZone: string): WallTime {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(at)) {
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
  };
}

/** Milliseconds the zone is ahead of UTC at `at`. */
function offsetMs(at: number, timeZone: string): number {
  const w = wallTime(new Date(at), timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(at / 1000) * 1000;
}

/** The instant a wall-clock time happens in the zone (the earlier one in a DST overlap, shifted forward in a gap). */
export function zonedInstant(w: WallTime, timeZone: string): Date {
  const guess = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  const first = guess - offsetMs(guess, timeZone);
  const second = guess - offsetMs(first, timeZone);
  return new Date(Math.min(first, second));
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
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day + days));
  return `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
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
