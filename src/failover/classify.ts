import type { FailoverReason } from "./types.js";

export type Verdict =
  | { readonly kind: "failover"; readonly reason: FailoverReason; readonly retryAfterMs: number | null }
  /** The target answered; the request itself is at fault (400, 401, ...): no failover, target healthy. */
  | { readonly kind: "final" }
  /** The caller aborted. */
  | { readonly kind: "aborted" };

interface ErrorLike {
  readonly status?: unknown;
  readonly headers?: unknown;
  readonly name?: unknown;
  readonly error?: { readonly type?: unknown; readonly error?: { readonly type?: unknown } };
  readonly constructor?: { readonly name?: string };
}

const FAILOVER_STATUSES = new Set([408, 429]);
const MAX_RETRY_AFTER_MS = 10 * 60_000;

/**
 * Sorts an SDK error into "try the next target" or "hand it to the caller". Duck-typed over the Stainless
 * SDKs' errors (`status`, `headers`; connection errors have no status). Network errors, 408, 429, 5xx and
 * Anthropic's `overloaded_error` (529) fail over; other statuses only when listed in `extraStatuses`.
 */
export function classify(
  err: unknown,
  extraStatuses: readonly number[],
  timedOut: boolean,
  callerAborted: boolean,
  now: number,
): Verdict {
  if (callerAborted) return { kind: "aborted" };
  if (timedOut) return { kind: "failover", reason: "first_byte_timeout", retryAfterMs: null };
  const e = (err ?? {}) as ErrorLike;
  const status = typeof e.status === "number" ? e.status : null;
  if (status === null) {
    const name = e.constructor?.name ?? (typeof e.name === "string" ? e.name : "");
    if (name === "APIUserAbortError" || name === "AbortError") return { kind: "aborted" };
    return { kind: "failover", reason: "connection_error", retryAfterMs: null };
  }
  const retryAfterMs = retryAfter(e.headers, now);
  if (status === 429) return { kind: "failover", reason: "rate_limited", retryAfterMs };
  if (status === 529 || isOverloaded(e)) return { kind: "failover", reason: "overloaded", retryAfterMs };
  if (status >= 500) return { kind: "failover", reason: "server_error", retryAfterMs };
  if (FAILOVER_STATUSES.has(status) || extraStatuses.includes(status)) {
    return { kind: "failover", reason: "http_status", retryAfterMs };
  }
  return { kind: "final" };
}

function isOverloaded(e: ErrorLike): boolean {
  return e.error?.type === "overloaded_error" || e.error?.error?.type === "overloaded_error";
}

/** `retry-after-ms` / `x-ms-retry-after-ms` (ms) first, then `retry-after` (seconds or an HTTP date). */
export function retryAfter(headers: unknown, now: number): number | null {
  const get = headerGetter(headers);
  if (!get) return null;
  for (const name of ["retry-after-ms", "x-ms-retry-after-ms"]) {
    const v = Number.parseFloat(get(name) ?? "");
    if (Number.isFinite(v) && v >= 0) return Math.min(v, MAX_RETRY_AFTER_MS);
  }
  const raw = get("retry-after");
  if (raw === null || raw === undefined || raw.trim() === "") return null;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, MAX_RETRY_AFTER_MS);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? null : Math.min(Math.max(0, date - now), MAX_RETRY_AFTER_MS);
}

function headerGetter(headers: unknown): ((name: string) => string | null | undefined) | null {
  if (!headers || typeof headers !== "object") return null;
  const h = headers as { get?: unknown } & Record<string, unknown>;
  if (typeof h.get === "function") return (n) => (h.get as (n: string) => string | null)(n);
  return (n) => {
    const v = h[n];
    return typeof v === "string" ? v : null;
  };
}
