import { daysInMonth, wallTime } from "../core/time-zone.js";
import { zonedMidnight } from "../core/calendar.js";
import { TokenLedgerConfigError } from "../core/errors.js";
import { customWindow } from "./custom-range.js";
import type { Budget, BudgetPeriod, PeriodWindow, WeekStart } from "./types.js";

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
  // A custom range is not a calendar period: its bounds are the budget's own (`budgetWindow`).
  if (period === "custom") throw new TokenLedgerConfigError('period "custom": use budgetWindow(at, budget)');
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

/**
 * The budget's period holding `at`: its calendar day/week/month, or for `custom` its one range whatever `at`
 * is (see `inPeriod`: an instant outside the range belongs to no period of the budget).
 */
export function budgetWindow(at: number, b: Budget): PeriodWindow {
  if (b.period === "custom") return customWindow(b.start!, b.end!, b.timeZone);
  return periodWindow(at, b.period, b.timeZone, b.weekStart);
}

/** Whether `at` falls in a period of the budget: always for calendar periods, inside `[start, end)` for custom. */
export function inPeriod(at: number, b: Budget, w: PeriodWindow = budgetWindow(at, b)): boolean {
  return at >= w.start && at < w.end;
}

/** Whole local days in a month (for forecasts). */
export { daysInMonth };
