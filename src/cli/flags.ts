import { InvalidArgumentError } from "commander";
import { DIMENSIONS, type Dimension } from "../core/query.js";
import { addDays, isValidTimeZone, parseCalendarDate, startOfDay, zonedInstant } from "./time.js";

/** Shared flag parsers. Each throws commander's InvalidArgumentError, printed as one line naming the flag. */

export function parseTimeZone(value: string): string {
  if (!isValidTimeZone(value)) {
    throw new InvalidArgumentError(
      `"${value}" is not a known IANA time zone (for example UTC, Europe/Paris, America/New_York).`,
    );
  }
  return value;
}

/**
 * `--group-by team,model`, repeatable. `cost-center` is accepted for `cost_center` (flags are kebab-case by habit);
 * duplicates are dropped so a repeated dimension never doubles a column.
 */
export function parseGroupBy(value: string, previous: Dimension[] = []): Dimension[] {
  const out = [...previous];
  for (const raw of value.split(",")) {
    const name = raw.trim().replace(/-/g, "_");
    if (name === "") continue;
    if (!(DIMENSIONS as readonly string[]).includes(name)) {
      throw new InvalidArgumentError(`unknown dimension "${raw.trim()}" (use ${DIMENSIONS.join(", ")}).`);
    }
    if (!out.includes(name as Dimension)) out.push(name as Dimension);
  }
  return out;
}

export type WhereFilters = Partial<Record<Dimension, string[]>>;

/** `--where team=eng` (repeatable; the same key twice means "any of"). */
export function parseWhere(value: string, previous: WhereFilters = {}): WhereFilters {
  // Split at the first "=" only: a value may itself contain "=" (a base64 id, a URL query).
  const eq = value.indexOf("=");
  if (eq <= 0) throw new InvalidArgumentError(`"${value}" is not key=value (for example team=eng).`);
  const key = value.slice(0, eq).trim().replace(/-/g, "_");
  if (!(DIMENSIONS as readonly string[]).includes(key)) {
    throw new InvalidArgumentError(`unknown dimension "${key}" (use ${DIMENSIONS.join(", ")}).`);
  }
  const next: WhereFilters = { ...previous };
  next[key as Dimension] = [...(previous[key as Dimension] ?? []), value.slice(eq + 1)];
  return next;
}

// A time needs at least hours and minutes; one without an offset is read in the resolved zone (resolveDateFlag).
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Validate now, resolve later (the zone may come from --tz or the config). */
export function parseDateFlag(flag: string) {
  return (value: string): string => {
    const v = value.trim();
    if (/^\d{8}$/.test(v)) return `${v.slice(0, 4)}-${v.slice(4, 6)}-${v.slice(6)}`; // ccusage style 20261101
    if (parseCalendarDate(v) || (ISO_TIME.test(v) && !Number.isNaN(Date.parse(withZone(v))))) return v;
    throw new InvalidArgumentError(
      `${flag} "${value}" is not a date (YYYY-MM-DD) or an ISO 8601 time (2026-11-01T09:00).`,
    );
  };
}

function withZone(v: string): string {
  return /(Z|[+-]\d{2}:?\d{2})$/.test(v) ? v : `${v}Z`;
}

/**
 * A validated `--since` / `--until` value → instant. A date is local midnight in `timeZone`; with `endOfDay`
 * (for `--until`) a date means "through that day", so the exclusive bound is the next midnight.
 * A time without an offset is read in `timeZone`.
 */
export function resolveDateFlag(value: string, timeZone: string, endOfDay: boolean): Date {
  if (parseCalendarDate(value)) return startOfDay(endOfDay ? addDays(value, 1) : value, timeZone);
  if (/(Z|[+-]\d{2}:?\d{2})$/.test(value)) return new Date(value);
  const [date, time] = value.split("T") as [string, string];
  const [h, m, s] = time.split(":");
  const seconds = Number(s ?? 0);
  const at = zonedInstant(
    { ...parseCalendarDate(date)!, hour: Number(h), minute: Number(m), second: Math.floor(seconds) },
    timeZone,
  );
  return new Date(at.getTime() + Math.round((seconds % 1) * 1000));
}
