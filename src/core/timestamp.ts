/** Event times tokenledger accepts: from 2000-01-01 up to (not including) 2100-01-01 UTC. */
export const TIMESTAMP_MIN_MS = Date.UTC(2000, 0, 1);
export const TIMESTAMP_MAX_MS = Date.UTC(2100, 0, 1);

// ISO 8601 date-time with an explicit zone: 2026-02-01T09:30:00Z, 2026-02-01T09:30:00.123+01:00.
const ISO_WITH_ZONE =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

export type TimestampCheck = { readonly ms: number } | { readonly error: string };

/**
 * The one rule for event times (record(), importers): a valid `Date`, epoch milliseconds, or an ISO 8601
 * date-time string with a zone, between 2000 and 2100. Anything else (`"1"`, `"hello 2"`, `2026-02-30`, epoch
 * seconds, 1e20) is refused with a reason, never guessed at by `Date.parse`.
 */
export function checkTimestamp(value: unknown): TimestampCheck {
  let ms: number;
  if (value instanceof Date) {
    ms = value.getTime();
    if (Number.isNaN(ms)) return { error: "is an invalid Date" };
  } else if (typeof value === "number") {
    if (!Number.isFinite(value)) return { error: `${value} is not a finite number of epoch milliseconds` };
    ms = value;
  } else if (typeof value === "string") {
    const m = ISO_WITH_ZONE.exec(value.trim());
    if (!m)
      return { error: `"${clip(value)}" is not an ISO 8601 date-time with a zone (2026-02-01T09:30:00Z)` };
    const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
    if (!calendarValid(y!, mo!, d!) || h! > 23 || mi! > 59 || (s ?? 0) > 59)
      return { error: `"${clip(value)}" is not a real date and time` };
    // Date.parse only after the strict shape and calendar checks: alone it accepts "2026-02-30" and rolls it over.
    ms = Date.parse(value.trim().replace(" ", "T"));
    if (Number.isNaN(ms)) return { error: `"${clip(value)}" is not a real date and time` };
  } else {
    return { error: "must be a Date, epoch milliseconds or an ISO 8601 string with a zone" };
  }
  if (ms < TIMESTAMP_MIN_MS || ms >= TIMESTAMP_MAX_MS) {
    const hint =
      // 9e8..4.2e9 read as seconds is 1998..2103: the likeliest mistake behind a number in 1970.
      typeof value === "number" && value > 9e8 && value < 4.2e9 ? " (epoch seconds? give milliseconds)" : "";
    return {
      error: `${typeof value === "string" ? `"${clip(value)}"` : String(value instanceof Date ? value.toISOString() : value)} is outside 2000–2100${hint}`,
    };
  }
  return { ms };
}

function calendarValid(y: number, mo: number, d: number): boolean {
  if (mo < 1 || mo > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
