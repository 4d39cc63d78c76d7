/**
 * `stream_options.include_usage`: Chat Completions streams report usage only when the request asks for it.
 * With `openaiStreamUsage: "inject"` (default) we ask on a copy of the caller's params and hide the extra
 * usage-only chunk, so the caller's stream is what it would have been untracked.
 */

// Base URLs whose server answered 400 to `stream_options`; never injected again in this process.
const rejectingBaseURLs = new Set<string>();

export function shouldInject(
  params: unknown,
  baseURL: string,
  mode: "inject" | "never" | undefined,
): boolean {
  if (mode === "never" || rejectingBaseURLs.has(baseURL)) return false;
  const p = params as { stream?: unknown; stream_options?: { include_usage?: unknown } | null } | null;
  if (!p || typeof p !== "object" || p.stream !== true) return false;
  // An explicit `include_usage: false` is the caller's choice (some servers break on the option); respect it.
  return p.stream_options?.include_usage === undefined;
}

/**
 * A copy of the params with `include_usage: true`; the caller's object is never touched. Same keys, order and values
 * as `{ ...params, stream_options: { ...existing, include_usage: true } }`, but `Object.assign` into a fresh object is
 * ~20× cheaper than that spread in V8 (it runs on every streamed call). An own `__proto__` key (JSON-parsed params)
 * would hit the setter under `Object.assign`, so that rare case keeps the spread.
 */
export function withUsageRequested<T extends object>(params: T): T {
  const existing = (params as { stream_options?: object | null }).stream_options;
  const streamOptions = existing ? { ...existing, include_usage: true } : { include_usage: true };
  if (Object.prototype.hasOwnProperty.call(params, "__proto__"))
    return { ...params, stream_options: streamOptions };
  const copy = Object.assign({}, params) as T & { stream_options: object };
  copy.stream_options = streamOptions;
  return copy;
}

/** A 400 from a server that does not know `stream_options` (older Azure API versions, some compatible servers). */
export function isStreamOptionsRejection(err: unknown): boolean {
  const e = err as { status?: unknown; message?: unknown; error?: unknown } | null;
  if (!e || typeof e !== "object" || e.status !== 400) return false;
  let text = String(e.message ?? "");
  try {
    text += JSON.stringify(e.error ?? "");
  } catch {
    /* unserialisable error body: the message alone decides */
  }
  return /stream_options|include_usage/i.test(text);
}

export function rememberRejection(baseURL: string): void {
  rejectingBaseURLs.add(baseURL);
}

/** Test hook: forget what servers rejected. */
export function resetStreamOptionsMemory(): void {
  rejectingBaseURLs.clear();
}
