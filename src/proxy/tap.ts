import { createBrotliDecompress, createGunzip, createInflate, type Gunzip } from "node:zlib";
import { JsonTap } from "./json-tap.js";
import type { UsageShape } from "./routes.js";
import { SseTap } from "./sse-tap.js";
import { EMPTY_OUTCOME, type TapOutcome, type UsageTap } from "./tap-types.js";

/** A body that is neither JSON nor SSE (an HTML error page, plain text): nothing to read, marked malformed. */
class OpaqueTap implements UsageTap {
  write(): void {}
  async finish(): Promise<TapOutcome> {
    return { ...EMPTY_OUTCOME, malformed: true };
  }
}

/**
 * A compressed body: the client gets the compressed bytes untouched; the tap reads an inflated copy. The
 * decompressor is written to without waiting (it only holds what the tap has not read yet, and the tap reads
 * synchronously as output appears).
 */
class InflatingTap implements UsageTap {
  readonly #inner: UsageTap;
  readonly #zlib: Gunzip;
  readonly #ended: Promise<void>;
  #broken = false;

  constructor(inner: UsageTap, zlib: Gunzip) {
    this.#inner = inner;
    this.#zlib = zlib;
    zlib.on("data", (c: Buffer) => inner.write(c));
    this.#ended = new Promise<void>((resolve) => {
      zlib.once("end", resolve);
      zlib.once("error", () => {
        this.#broken = true;
        resolve();
      });
    });
  }
  write(chunk: Buffer): void {
    if (!this.#broken) this.#zlib.write(chunk);
  }
  async finish(): Promise<TapOutcome> {
    this.#zlib.end();
    await this.#ended;
    return this.#inner.finish();
  }
}

function decompressor(encoding: string): Gunzip | null {
  switch (encoding.trim().toLowerCase()) {
    case "gzip":
    case "x-gzip":
      return createGunzip();
    case "deflate":
      return createInflate() as unknown as Gunzip;
    case "br":
      return createBrotliDecompress() as unknown as Gunzip;
    default:
      return null;
  }
}

/** The tap for an answer, chosen by its content type (what the upstream actually sent, not what was asked). */
export function tapFor(
  shape: UsageShape | null,
  contentType: string | undefined,
  contentEncoding: string | undefined,
  onContent: () => void,
): UsageTap {
  const type = (contentType ?? "").toLowerCase();
  const inner: UsageTap = type.includes("text/event-stream")
    ? new SseTap(shape, onContent)
    : type.includes("json")
      ? new JsonTap(shape)
      : new OpaqueTap();
  if (!contentEncoding || contentEncoding === "identity" || inner instanceof OpaqueTap) return inner;
  const zlib = decompressor(contentEncoding);
  return zlib ? new InflatingTap(inner, zlib) : new OpaqueTap();
}
