/** The time window every panel reads: whole UTC days, `to` exclusive (tomorrow), so the numbers are stable. */
export interface Range {
  readonly days: number;
  readonly from: string;
  readonly to: string;
}

export const RANGE_CHOICES = [7, 30, 90] as const;

export function rangeOfDays(days: number, now = Date.now()): Range {
  const startOfTomorrow = Math.floor(now / 86_400_000) * 86_400_000 + 86_400_000;
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return { days, from: iso(startOfTomorrow - days * 86_400_000), to: iso(startOfTomorrow) };
}

/** Query parameters shared by every aggregate call. */
export function rangeQuery(r: Range): { from: string; to: string; tz: string } {
  return { from: r.from, to: r.to, tz: "UTC" };
}
