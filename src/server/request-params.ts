import type { Dimension, RollupQuery } from "../core/query.js";
import { parseCalendarDate, startOfDay } from "../cli/time.js";
import { ApiError } from "./errors.js";

const DAY_MS = 86_400_000;

function instant(value: string, timeZone: string): Date {
  return parseCalendarDate(value) ? startOfDay(value, timeZone) : new Date(value);
}

const HOUR_MS = 3_600_000;

/**
 * `from` inclusive, `to` exclusive; a bare date is midnight in `tz`. Default: the last 30 days up to the end of
 * the current UTC hour: whole-hour bounds let the rollup projections answer instead of a scan of every event.
 */
export function timeRange(
  q: { from?: string | undefined; to?: string | undefined; tz?: string | undefined },
  now = Date.now(),
): { since: Date; until: Date } {
  const tz = q.tz ?? "UTC";
  const until = q.to ? instant(q.to, tz) : new Date(Math.ceil((now + 1) / HOUR_MS) * HOUR_MS);
  const since = q.from ? instant(q.from, tz) : new Date(until.getTime() - 30 * DAY_MS);
  if (since.getTime() >= until.getTime())
    throw new ApiError("bad_request", "from: must be before to", q.from ? "from" : "to");
  return { since, until };
}

/** The dimension filters present in a parsed query, as a storage `where`. */
export function dimensionFilters(
  q: Readonly<Record<string, unknown>>,
  dims: readonly Dimension[],
): NonNullable<RollupQuery["where"]> {
  const where: Record<string, string[]> = {};
  for (const d of dims) {
    const v = q[d];
    if (Array.isArray(v) && v.length > 0) where[d] = v as string[];
  }
  return where;
}
