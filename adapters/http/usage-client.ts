import { redactSecrets, StorageError } from "tokenledger/storage-kit";

/** What the server answered for one delivered batch (`POST /api/v1/usage`, contract in api-contract.md). */
export interface UsageDelivery {
  readonly created: number;
  readonly duplicates: number;
  readonly conflicts: number;
  /** Ids the server stored differently before (same id, other content): logged, never retried. */
  readonly conflictIds: readonly string[];
}

/** A failed `POST /api/v1/usage`, classified like every storage error so the tracker's retry rules apply. */
export class UsageRequestError extends StorageError {
  override name = "UsageRequestError";
  constructor(
    message: string,
    kind: StorageError["kind"],
    /** HTTP status, or null for a network failure or timeout. */
    readonly status: number | null,
    /** From `Retry-After` (429, 503), when the server sent one. */
    readonly retryAfterMs: number | null,
    options?: { cause?: unknown },
  ) {
    super(message, kind, options);
  }
}

/** The server's limits: 1000 events and 5 MB per request. We stay under both with room for the envelope. */
export const MAX_EVENTS_PER_REQUEST = 1000;
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface UsageClientOptions {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly timeoutMs: number;
  readonly fetch?: typeof fetch;
}

/** Sends usage events to a tokenledger server. Holds the key; never puts it in a message or a URL. */
export class UsageClient {
  readonly #url: string;
  readonly #apiKey: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;

  constructor(o: UsageClientOptions) {
    this.#url = `${o.baseUrl}/api/v1/usage`;
    this.#apiKey = o.apiKey;
    this.#timeoutMs = o.timeoutMs;
    this.#fetch = o.fetch ?? globalThis.fetch;
  }

  /** `https://host/api/v1/usage`, for messages. */
  get url(): string {
    return this.#url;
  }

  /**
   * Deliver events (LedgerEvents or already-serialized wire events), split to fit the server's limits.
   * Rejects with a `UsageRequestError` at the first failed request; earlier requests stay delivered
   * (a retry of the whole set is answered `duplicate` for those).
   */
  async send(events: readonly unknown[]): Promise<UsageDelivery> {
    let created = 0;
    let duplicates = 0;
    let conflicts = 0;
    const conflictIds: string[] = [];
    for (const body of requestBodies(events)) {
      const r = await this.#post(body);
      created += r.created;
      duplicates += r.duplicates;
      conflicts += r.conflicts;
      conflictIds.push(...r.conflictIds);
    }
    return { created, duplicates, conflicts, conflictIds };
  }

  async #post(body: string): Promise<UsageDelivery> {
    let res: Response;
    try {
      res = await this.#fetch(this.#url, {
        method: "POST",
        headers: {
          authorization: `Bearer ${this.#apiKey}`,
          "content-type": "application/json",
          accept: "application/json",
        },
        body,
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (err) {
      throw networkError(err, this.#url, this.#timeoutMs);
    }
    const text = await res.text().catch(() => "");
    if (res.ok) return parseDelivery(text);
    throw statusError(res, text, this.#url);
  }
}

/** JSON bodies `{"events":[...]}` of at most MAX_EVENTS_PER_REQUEST events and about MAX_BODY_BYTES each. */
export function* requestBodies(events: readonly unknown[]): Generator<string> {
  let parts: string[] = [];
  let bytes = 0;
  for (const e of events) {
    const json = JSON.stringify(e);
    const size = Buffer.byteLength(json);
    if (parts.length > 0 && (parts.length >= MAX_EVENTS_PER_REQUEST || bytes + size > MAX_BODY_BYTES)) {
      yield `{"events":[${parts.join(",")}]}`;
      parts = [];
      bytes = 0;
    }
    parts.push(json);
    bytes += size + 1;
  }
  if (parts.length > 0) yield `{"events":[${parts.join(",")}]}`;
}

function parseDelivery(text: string): UsageDelivery {
  try {
    const body = JSON.parse(text) as {
      created?: unknown;
      duplicates?: unknown;
      conflicts?: unknown;
      results?: { id?: unknown; status?: unknown }[];
    };
    const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);
    const conflictIds = Array.isArray(body.results)
      ? body.results.filter((r) => r?.status === "conflict").map((r) => String(r.id))
      : [];
    return {
      created: num(body.created),
      duplicates: num(body.duplicates),
      conflicts: num(body.conflicts),
      conflictIds,
    };
  } catch {
    // The contract says the whole 200 counts as delivered; an unreadable body does not change that.
    return { created: 0, duplicates: 0, conflicts: 0, conflictIds: [] };
  }
}

function networkError(err: unknown, url: string, timeoutMs: number): UsageRequestError {
  const e = err as { name?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } };
  if (e?.name === "TimeoutError" || e?.name === "AbortError") {
    return new UsageRequestError(`POST ${url}: no answer within ${timeoutMs} ms`, "transient", null, null, {
      cause: err,
    });
  }
  const code = typeof e?.cause?.code === "string" ? ` (${e.cause.code})` : "";
  const detail = String(e?.cause?.message ?? e?.message ?? err);
  // Every network failure (refused, reset, DNS, TLS) may pass: retry, and spool meanwhile.
  return new UsageRequestError(`POST ${url}: ${redactSecrets(detail)}${code}`, "transient", null, null, {
    cause: err,
  });
}

/**
 * 400/413/422: this batch is refused (a bad event, too large): `row`, so the tracker halves the batch until the
 * bad event is alone and drops it, counted as `rejected`; never an endless retry.
 * 401/403/404 and other 4xx: the server refuses every write (wrong or revoked key, wrong URL): `backend`.
 * 408, 429 and 5xx: `transient`.
 */
function statusError(res: Response, text: string, url: string): UsageRequestError {
  const s = res.status;
  const kind: StorageError["kind"] =
    s === 400 || s === 413 || s === 422
      ? "row"
      : s === 408 || s === 429 || s >= 500
        ? "transient"
        : "backend";
  let detail = "";
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown; field?: unknown } };
    const err = body.error;
    if (err) {
      detail = [err.code, err.field, err.message].filter((v) => typeof v === "string" && v).join(": ");
    }
  } catch {
    detail = text.slice(0, 200);
  }
  const hint =
    s === 401
      ? " (check the API key: the apiKey option or TOKENLEDGER_API_KEY)"
      : s === 403
        ? " (the key's role cannot send usage: use an ingest or admin key)"
        : s === 404
          ? " (no tokenledger API at this URL: check the server URL and its base path)"
          : "";
  return new UsageRequestError(
    `POST ${url}: HTTP ${s}${detail ? ` ${redactSecrets(detail)}` : ""}${hint}`,
    kind,
    s,
    retryAfterMs(res.headers.get("retry-after")),
  );
}

function retryAfterMs(header: string | null): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds, 300) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.min(300_000, Math.max(0, at - Date.now()));
}
