/**
 * AWS SDK errors keep the HTTP status and request id in `$metadata`, not in `status`/`requestID` as the
 * other SDKs do. The recorder reads `status`, so it gets a view of the error with the status copied over;
 * the caller still receives the original error object.
 */
export function errorForRecord(err: unknown): unknown {
  const e = err as { status?: unknown; $metadata?: { httpStatusCode?: unknown } } | null;
  if (!e || typeof e !== "object") return err;
  const status = e.$metadata?.httpStatusCode;
  if (typeof e.status === "number" || typeof status !== "number") return err;
  return Object.create(e, { status: { value: status, enumerable: false } }) as unknown;
}

export function requestIdOfError(err: unknown): string | undefined {
  const id = (err as { $metadata?: { requestId?: unknown } } | null)?.$metadata?.requestId;
  return typeof id === "string" ? id : undefined;
}

/**
 * Over HTTP/2 (the client's default) a dropped connection ends the event stream as if it had finished: the SDK
 * raises nothing. A stream that ends before Bedrock's final usage event is recorded as this error (the caller
 * never sees it), with whatever usage was seen.
 */
export class IncompleteStreamError extends Error {
  override readonly name = "IncompleteStreamError";
  constructor(what: string) {
    super(`the stream ended before ${what} (connection dropped?)`);
  }
}

/** An aborted request ends the HTTP/2 stream quietly too; the signal tells. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === "AbortError") return reason;
  const e = new Error(typeof reason === "string" ? reason : "The operation was aborted");
  e.name = "AbortError";
  return e;
}
