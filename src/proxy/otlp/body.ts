import type { IncomingMessage } from "node:http";
import { gunzip } from "node:zlib";
import { promisify } from "node:util";
import { OtlpRequestError } from "./errors.js";

const gunzipAsync = promisify(gunzip);

/** The default limit for one export request, before and after decompression (the Collector's default is 20 MiB; agents send far less). */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * Reads the request body, refusing more than `limit` bytes (413) as soon as the declared length or the bytes
 * read pass it, and inflating `Content-Encoding: gzip` (OTEL_EXPORTER_OTLP_COMPRESSION=gzip) within the same limit.
 */
export async function readOtlpBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const encoding = (req.headers["content-encoding"] ?? "identity").trim().toLowerCase();
  if (encoding !== "identity" && encoding !== "gzip") {
    throw new OtlpRequestError(415, `unsupported Content-Encoding "${encoding}" (use gzip or none)`);
  }
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk as Buffer);
  }
  const raw = Buffer.concat(chunks, size);
  if (encoding === "identity") return raw;
  try {
    return await gunzipAsync(raw, { maxOutputLength: limit });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") throw tooLarge(limit);
    throw new OtlpRequestError(400, `body is not valid gzip: ${(err as Error).message}`);
  }
}

function tooLarge(limit: number): OtlpRequestError {
  return new OtlpRequestError(413, `body is larger than the receiver's limit of ${limit} bytes`);
}
