import { fractionUsed } from "./amount.js";
import { windowStart } from "./reset.js";
import type { QuotaSnapshot } from "./types.js";

/**
 * Whether use runs ahead of the window's elapsed time. `deficit` comes with the moment the quota runs out at
 * the recent rate; `reserve` means it lasts until the reset. Hidden (`unknown`) in the first 3 % of a window,
 * where one early request would read as a huge deficit.
 */
export interface Pace {
  readonly state: "on_pace" | "deficit" | "reserve" | "unknown";
  /** When the quota runs out at the recent rate; null unless `deficit`. */
  readonly runsOutAt: Date | null;
}

const UNKNOWN: Pace = { state: "unknown", runsOutAt: null };

/**
 * The rate comes from the stored history inside the window when it spans an hour or more (recent use),
 * else from the whole window so far. Display-only arithmetic in floats: nothing here is stored or summed.
 */
export function pace(s: QuotaSnapshot, now: Date, history: readonly QuotaSnapshot[] = []): Pace {
  const share = fractionUsed(s.used, s.limit);
  if (share === null || s.resetAt === null || s.used === null || s.limit === null) return UNKNOWN;
  const reset = new Date(s.resetAt);
  const start = windowStart(s.window, reset);
  if (!start) return UNKNOWN;
  const span = reset.getTime() - start.getTime();
  const elapsed = (now.getTime() - start.getTime()) / span;
  if (!(elapsed >= 0.03 && elapsed <= 1)) return UNKNOWN;
  if (share <= elapsed * 1.05 && share >= elapsed * 0.95) return { state: "on_pace", runsOutAt: null };
  if (share < elapsed) return { state: "reserve", runsOutAt: null };
  const inWindow = history.filter((h) => h.used !== null && Date.parse(h.fetchedAt) >= start.getTime());
  const first = inWindow[0];
  let perMs = Number(s.used) / (now.getTime() - start.getTime());
  if (first && now.getTime() - Date.parse(first.fetchedAt) >= 3_600_000) {
    const recent = (Number(s.used) - Number(first.used)) / (now.getTime() - Date.parse(first.fetchedAt));
    if (recent > 0) perMs = recent;
  }
  if (!(perMs > 0)) return { state: "reserve", runsOutAt: null };
  const runsOutAt = new Date(now.getTime() + (Number(s.limit) - Number(s.used)) / perMs);
  return runsOutAt >= reset ? { state: "reserve", runsOutAt: null } : { state: "deficit", runsOutAt };
}
