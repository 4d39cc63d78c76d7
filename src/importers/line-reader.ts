import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { ParseSink } from "./types.js";

export interface Line {
  readonly text: string;
  /** 1-based. */
  readonly number: number;
}

/**
 * Stream a file line by line: memory stays bounded by the longest line, whatever the file size
 * (whole-file reads fail on logs of hundreds of MB). `onBytes` reports progress as chunks are read.
 */
export async function* readLines(path: string, onBytes?: (bytes: number) => void): AsyncGenerator<Line> {
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  if (onBytes) stream.on("data", (chunk) => onBytes(chunk.length));
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  let number = 0;
  try {
    for await (const text of lines) {
      number += 1;
      yield { text, number };
    }
  } finally {
    lines.close();
    stream.destroy();
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
    const value = parseJsonLine(line.text);
    if (value === undefined) continue;
    if (value instanceof Error) {
      sink.malformed(line.number, `invalid JSON (${value.message})`);
      continue;
    }
    yield { ...line, value };
  }
}
