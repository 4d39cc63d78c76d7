import { periodBounds, type CalendarPeriod } from "../core/calendar.js";

const PERIOD: Record<"daily" | "weekly" | "monthly", CalendarPeriod> = {
  daily: "day",
  weekly: "week",
  monthly: "month",
};

/** The next UTC midnight, Monday or 1st after `now`: where OpenRouter's daily, weekly and monthly limits reset. */
export function nextUtcBoundary(window: "daily" | "weekly" | "monthly", now: Date): Date {
  // ISO weeks: the week starts on Monday (periodBounds' default).
  return new Date(periodBounds(now.getTime(), PERIOD[window], "UTC").end);
}

/** Start of the window that ends at `resetAt`, for pace: one day, week or calendar month earlier. */
export function windowStart(window: string, resetAt: Date): Date | null {
  const y = resetAt.getUTCFullYear();
  const m = resetAt.getUTCMonth();
  const d = resetAt.getUTCDate();
  switch (window) {
    case "daily":
      return new Date(resetAt.getTime() - 86_400_000);
    case "weekly":
      return new Date(resetAt.getTime() - 7 * 86_400_000);
    case "monthly":
    case "premium":
    case "chat":
    case "completions":
      return new Date(Date.UTC(y, m - 1, d, resetAt.getUTCHours(), resetAt.getUTCMinutes()));
    default:
      return null;
  }
}
