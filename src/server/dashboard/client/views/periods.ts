/** A rollup `period` (`2026-03-09`, `2026-03-09T14:00`, `2026-03`, UTC) as Unix seconds for the chart's x axis. */
export function periodToUnix(period: string | undefined): number {
  if (!period) return 0;
  const iso = period.length === 7 ? `${period}-01` : period;
  const withTime = iso.length === 10 ? `${iso}T00:00` : iso;
  return Date.parse(`${withTime}:00Z`) / 1000;
}
