// Part of the storage kit: core modules are imported by path, so the kit never loads the root barrel.
import { TokenLedgerConfigError } from "../../src/core/errors.js";
import type { TimeBucket } from "../../src/core/query.js";
import { isValidTimeZone, zoneOffsetMs } from "../../src/core/time-zone.js";

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Throws a config error naming the option when `timeZone` is not an IANA zone this runtime knows. */
export function checkTimeZone(timeZone: string): void {
  if (!isValidTimeZone(timeZone)) {
    throw new TokenLedgerConfigError(
      `timeZone: "${timeZone}" is not a known IANA time zone (for example "UTC" or "Europe/Paris")`,
    );
  }
}

export interface OffsetSpan {
  /** First instant (UTC ms) this offset applies from; the first span starts at the range start. */
  readonly from: number;
  readonly offsetMs: number;
}

/**
 * The zone's offsets over [fromMs, toMs]: sampled daily, each change located to the minute by bisection.
 * Zones change offset at most a few times a year, so a daily sample cannot miss one.
 */
export function offsetSpans(timeZone: string, fromMs: number, toMs: number): OffsetSpan[] {
  const spans: OffsetSpan[] = [{ from: fromMs, offsetMs: zoneOffsetMs(timeZone, fromMs) }];
  let prevT = fromMs;
  let prevOff = spans[0]!.offsetMs;
  for (let t = Math.min(fromMs + DAY_MS, toMs); ; t = Math.min(t + DAY_MS, toMs)) {
    const off = zoneOffsetMs(timeZone, t);
    if (off !== prevOff) {
      let lo = prevT;
      let hi = t; // offset(lo) = prevOff, offset(hi) = off
      while (hi - lo > 60_000) {
        const mid = Math.floor((lo + hi) / 2 / 60_000) * 60_000;
        if (mid <= lo) break;
        if (zoneOffsetMs(timeZone, mid) === prevOff) lo = mid;
        else hi = mid;
      }
      spans.push({ from: hi, offsetMs: off });
      prevOff = off;
    }
    prevT = t;
    if (t >= toMs) break;
  }
  return spans;
}

/** True when every offset is whole hours and every change falls on a UTC hour: hourly rollups can be re-bucketed. */
export function hourAlignedSpans(spans: readonly OffsetSpan[]): boolean {
  return spans.every((s, i) => s.offsetMs % HOUR_MS === 0 && (i === 0 || s.from % HOUR_MS === 0));
}

/** Bucket label of a local wall-clock instant (`local` = UTC ms + offset), in the RollupQuery formats. */
export function bucketLabel(local: number, bucket: TimeBucket): string {
  const d = new Date(local);
  const iso = d.toISOString();
  switch (bucket) {
    case "hour":
      return `${iso.slice(0, 13)}:00`;
    case "day":
      return iso.slice(0, 10);
    case "month":
      return iso.slice(0, 7);
    case "week": {
      const mondayBased = (d.getUTCDay() + 6) % 7;
      return new Date(local - mondayBased * DAY_MS).toISOString().slice(0, 10);
    }
  }
}

/** Bucket label of UTC instant `ms` in `timeZone`. */
export function bucketOf(ms: number, bucket: TimeBucket, timeZone: string): string {
  return bucketLabel(ms + zoneOffsetMs(timeZone, ms), bucket);
}
