/** The next UTC midnight, Monday or 1st after `now`: where OpenRouter's daily, weekly and monthly limits reset. */
export function nextUtcBoundary(window: "daily" | "weekly" | "monthly", now: Date): Date {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const d = now.getUTCDate();
  if (window === "daily") return new Date(Date.UTC(y, m, d + 1));
  if (window === "monthly") return new Date(Date.UTC(y, m + 1, 1));
  // ISO weeks start on Monday (getUTCDay: 0 = Sunday).
  const daysToMonday = (8 - now.getUTCDay()) % 7 || 7;
  return new Date(Date.UTC(y, m, d + daysToMonday));
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
