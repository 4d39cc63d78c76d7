import { daysInMonth, wallTime } from "../core/time-zone.js";
import { zonedMidnight } from "../core/calendar.js";
import type { BudgetPeriod, PeriodWindow, WeekStart } from "./types.js";

const pad = (n: number) => String(n).padStart(2, "0");
const ymd = (y: number, m: number, d: number) => `${y}-${pad(m)}-${pad(d)}`;

/** Calendar arithmetic on a wall date (UTC fields of a Date used as a plain calendar). */
function addDays(y: number, m: number, d: number, days: number): [number, number, number] {
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return [t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate()];
}

/**
 * The period of `period` that contains instant `at`, in `timeZone`: a day from local midnight, a week from
 * local midnight of its `weekStart` weekday, a month from the 1st. Boundaries are real instants, so a day
 * across a DST change is 23 or 25 hours long. Keys: `2026-03-08`, `2026-W03-09` (the week's first day), `2026-03`.
 */
export function periodWindow(
  at: number,
  period: BudgetPeriod,
  timeZone: string,
  weekStart: WeekStart = 1,
): PeriodWindow {
  const w = wallTime(at, timeZone);
  if (period === "day") {
    const [y, m, d] = addDays(w.year, w.month, w.day, 1);
    return {
      key: ymd(w.year, w.month, w.day),
      start: zonedMidnight(w.year, w.month, w.day, timeZone).getTime(),
      end: zonedMidnight(y, m, d, timeZone).getTime(),
    };
  }
  if (period === "week") {
    const isoDay = ((new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay() + 6) % 7) + 1;
    const back = (isoDay - weekStart + 7) % 7;
    const [sy, sm, sd] = addDays(w.year, w.month, w.day, -back);
    const [ey, em, ed] = addDays(sy, sm, sd, 7);
    return {
      key: `${sy}-W${pad(sm)}-${pad(sd)}`,
      start: zonedMidnight(sy, sm, sd, timeZone).getTime(),
      end: zonedMidnight(ey, em, ed, timeZone).getTime(),
    };
  }
  const [ny, nm] = w.month === 12 ? [w.year + 1, 1] : [w.year, w.month + 1];
  return {
    key: `${w.year}-${pad(w.month)}`,
    start: zonedMidnight(w.year, w.month, 1, timeZone).getTime(),
    end: zonedMidnight(ny, nm, 1, timeZone).getTime(),
  };
}

/** Whole local days in a month (for forecasts). */
export { daysInMonth };
