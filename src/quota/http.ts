import { QuotaFetchError, type QuotaFetchOptions } from "./types.js";

/** Retry-After as seconds or an HTTP date, in milliseconds; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * GET a JSON document and classify every failure: 401/403 → auth, 429 → rate_limited (with Retry-After),
 * other non-2xx → http, unparsable body → shape, abort → timeout, anything else → network.
 * Error messages carry the URL path and status, never a header (credentials live there).
 */
export async function getJson(
  url: string,
  headers: Record<string, string>,
  opts: QuotaFetchOptions = {},
): Promise<{ status: number; body: unknown }> {
  const doFetch = opts.fetch ?? fetch;
  const where = new URL(url).pathname;
  let res: Response;
  try {
    res = await doFetch(url, {
      headers: { accept: "application/json", ...headers },
      signal: opts.signal ?? null,
    });
  } catch (err) {
    const aborted =
      (err as { name?: string })?.name === "AbortError" ||
      (err as { name?: string })?.name === "TimeoutError";
    throw new QuotaFetchError(
      aborted ? "timeout" : "network",
      `${where}: ${aborted ? "timed out" : (err as Error).message}`,
    );
  }
  const text = await res.text().catch(() => "");
  if (res.status === 401 || res.status === 403)
    throw new QuotaFetchError(
      "auth",
      `${where}: HTTP ${res.status} (the credential was refused; log in again)`,
      res.status,
    );
  if (res.status === 429)
    throw new QuotaFetchError(
      "rate_limited",
      `${where}: HTTP 429 (rate limited)`,
      429,
      retryAfterMs(res.headers.get("retry-after")),
    );
  if (res.status < 200 || res.status > 299)
    throw new QuotaFetchError("http", `${where}: HTTP ${res.status}`, res.status);
  try {
    return { status: res.status, body: JSON.parse(text) as unknown };
  } catch {
    throw new QuotaFetchError("shape", `${where}: the answer is not JSON`, res.status);
  }
}

/** A plain object, or a shape error naming what was expected. */
export function objectAt(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new QuotaFetchError(
      "shape",
      `${what}: expected an object, got ${value === null ? "null" : typeof value}`,
    );
  return value as Record<string, unknown>;
}
