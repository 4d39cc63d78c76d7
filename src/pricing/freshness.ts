import { bundledCatalog } from "./catalog.js";

/** Bundled price data older than this many days is reported as stale. */
export const STALE_AFTER_DAYS = 90;

export interface Freshness {
  /** The catalog's stated date (`updated`), or null when it states none. */
  readonly updated: string | null;
  readonly ageDays: number | null;
  readonly stale: boolean;
}

/** How old the bundled catalog is at `now`. */
export function catalogFreshness(
  now: Date = new Date(),
  updated = bundledCatalog().updated ?? null,
): Freshness {
  if (!updated) return { updated: null, ageDays: null, stale: false };
  const ageDays = Math.floor((now.getTime() - Date.parse(updated)) / 86_400_000);
  return { updated, ageDays, stale: ageDays > STALE_AFTER_DAYS };
}

/**
 * Web addresses a user can open, from a price's `source` text: full URLs, and bare `host/path` forms
 * (`openai.com/api/pricing`) with https:// added. Internal reference numbers are not addresses and are dropped.
 */
export function sourceUrls(source: string | null | undefined): string[] {
  if (!source) return [];
  const out = new Set<string>();
  for (const m of source.matchAll(/https?:\/\/[^\s),;]+|\b(?:[a-z0-9-]+\.)+[a-z]{2,}\/[^\s),;]*/gi)) {
    const url = m[0].replace(/[.#]+$/, "");
    out.add(/^https?:\/\//i.test(url) ? url : `https://${url}`);
  }
  return [...out];
}
