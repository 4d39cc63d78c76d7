import type { UsageEventInput } from "../../core/event.js";
import type { AttributeValue, OtlpLogRecord } from "./log-records.js";

/** What a log record turned into: a ledger row, or the reason it could not be one. */
export type Mapped = { readonly event: UsageEventInput } | { readonly rejected: string };

/** A count as the usage normaliser expects it: numbers and numeric strings become numbers; other values stay (-> invalid). */
export function count(v: AttributeValue | undefined): unknown {
  if (typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v.trim())) return Number(v);
  return v;
}

export function finite(v: AttributeValue | undefined): number | null {
  const n = typeof v === "string" ? Number(v) : v;
  return typeof n === "number" && Number.isFinite(n) && n >= 0 ? n : null;
}

export function text(v: AttributeValue | undefined): string | null {
  if (v === undefined || v === "") return null;
  return String(v);
}

/** Milliseconds since the epoch: `event.timestamp` (ISO), else the record's time, else its observed time. */
export function eventTime(r: OtlpLogRecord): number | null {
  const iso = r.attributes.get("event.timestamp");
  if (typeof iso === "string") {
    const ms = Date.parse(iso);
    if (Number.isFinite(ms)) return ms;
  }
  const nanos = r.timeUnixNano ?? r.observedTimeUnixNano;
  return nanos ? Number(BigInt(nanos) / 1_000_000n) : null;
}
