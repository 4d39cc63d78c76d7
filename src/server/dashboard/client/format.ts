import { groupThousands } from "./money.js";

/** Counts (requests, tokens): `12345` → `"12,345"`; sample-weighted counts may be fractional. */
export function formatCount(n: number): string {
  const rounded = Math.round(n);
  return (rounded < 0 ? "-" : "") + groupThousands(String(Math.abs(rounded)));
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${formatCount(ms)} ms`;
}

/** A ratio in [0, 1] as a percent with one decimal; `null` when the denominator is 0. */
export function formatRatio(part: number, whole: number): string {
  return whole > 0 ? `${((part / whole) * 100).toFixed(1)}%` : "—";
}
