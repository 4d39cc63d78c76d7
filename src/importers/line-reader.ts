import { open } from "node:fs/promises";
import type { ParseSink } from "./types.js";

/** No log line of a supported format comes near this; a longer one is skipped, never held in memory whole. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

export interface Line {
  readonly text: string;
  /** 1-based. */
  readonly number: number;
  /** Set when the line was longer than the limit: its size in bytes (`text` is then empty). */
  readonly overLimitBytes?: number;
}

const NL = 0x0a;
const CHUNK = 1 << 20;

/**
 * Stream a file line by line: memory stays bounded by the line limit, whatever the file size (whole-file reads
 * fail on logs of hundreds of MB, and a line reader that buffers a whole line fails on one absurd line).
 * `onBytes` reports progress as chunks are read.
 */
export async function* readLines(
  path: string,
  onBytes?: (bytes: number) => void,
  maxLineBytes = MAX_LINE_BYTES,
): AsyncGenerator<Line> {
  const handle = await open(path, "r");
  const chunk = Buffer.allocUnsafe(CHUNK);
  let parts: Buffer[] = []; // the current line's bytes from earlier chunks
  let held = 0;
  let overLimit = -1; // bytes of the current line once it passed the limit (its bytes are then dropped)
  let number = 0;
  const finish = (last?: Buffer): Line => {
    number += 1;
    let line: Line;
    if (overLimit >= 0) line = { text: "", number, overLimitBytes: overLimit };
    else {
      const bytes =
        parts.length === 0 ? (last ?? Buffer.alloc(0)) : Buffer.concat(last ? [...parts, last] : parts);
      const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
      line = { text: bytes.toString("utf8", 0, end), number };
    }
    parts = [];
    held = 0;
    overLimit = -1;
    return line;
  };
  try {
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, CHUNK, null);
      if (bytesRead === 0) break;
      onBytes?.(bytesRead);
      let start = 0;
      while (start < bytesRead) {
        const nl = chunk.indexOf(NL, start);
        const complete = nl !== -1 && nl < bytesRead;
        const end = complete ? nl : bytesRead;
        const size = end - start;
        if (overLimit >= 0) overLimit += size;
        else if (held + size > maxLineBytes) {
          overLimit = held + size;
          parts = [];
          held = 0;
        }
        if (!complete) {
          if (overLimit < 0) {
            parts.push(Buffer.from(chunk.subarray(start, end))); // the chunk buffer is reused
            held += size;
          }
          break;
        }
        yield finish(overLimit < 0 ? chunk.subarray(start, end) : undefined);
        start = nl + 1;
      }
    }
    if (held > 0 || overLimit >= 0) yield finish(); // a last line without a newline
  } finally {
    await handle.close();
  }
}

/** Parse one JSON line; `undefined` for blank lines, an Error for malformed ones. */
export function parseJsonLine(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

export interface JsonLine extends Line {
  readonly value: unknown;
}

/**
 * The file's JSON values, one per line: blank lines are skipped, and a line that is not JSON is reported
 * to `sink.malformed` and skipped (a bad line never aborts an import). Progress goes to `sink.bytes`.
 */
export async function* readJsonLines(
  path: string,
  sink: Pick<ParseSink, "bytes" | "malformed">,
): AsyncGenerator<JsonLine> {
  for await (const line of readLines(path, (n) => sink.bytes(n))) {
    if (line.overLimitBytes !== undefined) {
      sink.malformed(
        line.number,
        `line is ${mib(line.overLimitBytes)}, over the ${mib(MAX_LINE_BYTES)} line limit; skipped without reading it whole`,
      );
      continue;
    }
    const value = parseJsonLine(line.text);
    if (value === undefined) continue;
    if (value instanceof Error) {
      sink.malformed(line.number, `invalid JSON (${value.message})`);
      continue;
    }
    yield { ...line, value };
  }
}

function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1)} MiB`;
}
