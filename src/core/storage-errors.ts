import { StorageError } from "./errors.js";
import { redactSecrets } from "./redact.js";

export type StorageErrorKind = StorageError["kind"];

const SQLITE_TRANSIENT = /^SQLITE_(BUSY|LOCKED|IOERR|PROTOCOL)/;
const SQLITE_ROW = /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG|RANGE)/;
const NET = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
]);

/**
 * Classify a storage failure.
 * - transient: retry with backoff (busy/locked, connection loss, serialization failure, timeouts);
 * - row: a row the backend rejects (constraint, type): isolate it by splitting the batch;
 * - backend: the store refuses all writes (read-only, full, auth): keep retrying, report unhealthy.
 */
export function classifyStorageError(err: unknown): StorageErrorKind {
  if (err instanceof StorageError) return err.kind;
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === "string" ? e.code : "";
  if (SQLITE_TRANSIENT.test(code)) return "transient";
  if (SQLITE_ROW.test(code)) return "row";
  if (code.startsWith("SQLITE_")) return "backend";
  if (NET.has(code)) return "transient";
  if (/^[0-9A-Z]{5}$/.test(code)) {
    // PostgreSQL SQLSTATE classes: 08 connection, 53 resources, 57 shutdown/cancel, 40001/40P01
    // serialization failure and deadlock (the transaction rolled back whole, so retrying is safe).
    if (
      code.startsWith("08") ||
      code.startsWith("53") ||
      code.startsWith("57") ||
      code === "40001" ||
      code === "40P01"
    )
      return "transient";
    if (code.startsWith("22") || code.startsWith("23")) return "row";
    return "backend";
  }
  // Unknown failures count as transient: events stay queued and are retried, never dropped on a guess.
  return "transient";
}

/** Wrap any failure as a StorageError with its kind; the message is redacted (a URL may carry a password). */
export function toStorageError(err: unknown, context: string): StorageError {
  if (err instanceof StorageError) return err;
  const raw = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | null)?.code;
  const message = `${context}: ${redactSecrets(raw)}${typeof code === "string" ? ` (${code})` : ""}`;
  return new StorageError(message, classifyStorageError(err), { cause: err });
}
