/**
 * Credentials and header values configured on an SDK client. Provider errors sometimes echo them back
 * ("Incorrect API key provided: ..."), and a custom header value matches no secret pattern, so they are
 * removed from stored error messages by exact value. Collected lazily, only when a call fails.
 */
export function clientSecrets(...holders: unknown[]): string[] {
  const out = new Set<string>();
  const add = (v: unknown): void => {
    if (typeof v === "string" && v.length >= 8) out.add(v);
  };
  const addHeaders = (h: unknown): void => {
    if (!h || typeof h !== "object") return;
    if (typeof (h as Headers).forEach === "function" && !Array.isArray(h)) {
      (h as Headers).forEach((value) => add(value));
      return;
    }
    for (const v of Object.values(h as Record<string, unknown>)) add(v);
  };
  for (const holder of holders) {
    if (!holder || typeof holder !== "object") continue;
    const o = holder as Record<string, unknown>;
    add(o.apiKey);
    add(o.authToken);
    const opts = o._options as Record<string, unknown> | undefined;
    if (opts && typeof opts === "object") {
      add(opts.apiKey);
      add(opts.authToken);
      addHeaders(opts.defaultHeaders);
      addHeaders(opts.defaultQuery);
    }
    const req = o._requestOptions as Record<string, unknown> | undefined;
    if (req && typeof req === "object") addHeaders(req.customHeaders);
    const api = (o.apiClient as { clientOptions?: Record<string, unknown> } | undefined)?.clientOptions;
    if (api && typeof api === "object") {
      add(api.apiKey);
      addHeaders((api.httpOptions as { headers?: unknown } | undefined)?.headers);
    }
  }
  return [...out];
}

/** Replace every occurrence of each secret (longest first, so overlapping values never leave a tail). */
export function redactValues(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join("[REDACTED]");
  return out;
}
