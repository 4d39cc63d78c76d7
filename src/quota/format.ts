import { Dec } from "../pricing/decimal.js";
import { fractionUsed } from "./amount.js";
import type { QuotaSnapshot, QuotaUnit } from "./types.js";

/** An amount for people: `$12.34`, `1,234 req`, `4,500 cr`; unknown stays "unknown", never 0. */
export function formatAmount(value: string | null, unit: QuotaUnit): string {
  if (value === null) return "unknown";
  const d = new Dec(value);
  if (unit === "usd") return `$${d.toDecimalPlaces(2, Dec.ROUND_HALF_UP).toFixed(2)}`;
  // Copilot's model multipliers make fractional requests; one decimal below 1,000 keeps them visible.
  const n = d.toDecimalPlaces(d.abs().lt(1000) ? 1 : 0, Dec.ROUND_HALF_UP).toNumber();
  return `${n.toLocaleString("en-US")} ${unit === "requests" ? "req" : "cr"}`;
}

/** "37%" of the limit, or null when either side is unknown. */
export function percentUsed(s: QuotaSnapshot): number | null {
  const f = fractionUsed(s.used, s.limit);
  return f === null ? null : Math.round(f * 1000) / 10;
}

/** Gauge colour: green under 50 %, yellow to 80 %, red above. */
export function gaugeColor(percent: number | null): "green" | "yellow" | "red" | "gray" {
  if (percent === null) return "gray";
  return percent < 50 ? "green" : percent <= 80 ? "yellow" : "red";
}

/** "3d 4h", "5h 12m", "9m", "now". */
export function countdown(to: Date, now: Date): string {
  let ms = to.getTime() - now.getTime();
  if (ms <= 0) return "now";
  const d = Math.floor(ms / 86_400_000);
  ms -= d * 86_400_000;
  const h = Math.floor(ms / 3_600_000);
  ms -= h * 3_600_000;
  const m = Math.floor(ms / 60_000);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  return `${Math.max(1, m)}m`;
}

/** A text bar of `width` cells for `percent` (clamped to 0..100). */
export function bar(percent: number | null, width: number): string {
  if (percent === null) return "·".repeat(width);
  const full = Math.round((Math.min(100, Math.max(0, percent)) / 100) * width);
  return "█".repeat(full) + "░".repeat(width - full);
}

export const WINDOW_LABELS: Record<string, string> = {
  daily: "daily limit",
  weekly: "weekly limit",
  monthly: "monthly limit",
  key_limit: "key limit",
  lifetime: "lifetime spend",
  balance: "credit balance",
  premium: "premium reqs",
  chat: "chat",
  completions: "completions",
};
