import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";

/** RFC 9110 §7.6.1 connection-specific headers, plus `host` (the upstream's own is sent). */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host",
]);

export const ATTRIBUTION_PREFIX = "x-tokenledger-";

/** Names listed in a `Connection` header are hop-by-hop for this message too. */
function connectionListed(value: string | string[] | undefined): Set<string> {
  const out = new Set<string>();
  for (const v of Array.isArray(value) ? value : value ? [value] : [])
    for (const name of v.split(",")) if (name.trim()) out.add(name.trim().toLowerCase());
  return out;
}

/**
 * Request headers for the upstream, as a flat [name, value, ...] list in the client's own order and case.
 * Drops hop-by-hop headers, `host`, `content-length` (the body may be re-sent with a new length when
 * `include_usage` is injected; undici sets it) and every `x-tokenledger-*` header. Everything else, including
 * `authorization`, `x-api-key` and `anthropic-*`, passes byte for byte.
 */
export function upstreamRequestHeaders(
  rawHeaders: readonly string[],
  headers: IncomingHttpHeaders,
): string[] {
  const listed = connectionListed(headers.connection);
  const out: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || listed.has(lower) || lower === "content-length") continue;
    if (lower.startsWith(ATTRIBUTION_PREFIX)) continue;
    out.push(name, rawHeaders[i + 1]!);
  }
  return out;
}

/** Response headers for the client: the upstream's, minus hop-by-hop ones. */
export function clientResponseHeaders(
  headers: Record<string, string | string[] | undefined>,
): OutgoingHttpHeaders {
  const listed = connectionListed(headers.connection);
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || listed.has(name)) continue;
    out[name] = value;
  }
  return out;
}

/** One header's value as a string (first of several). */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}
