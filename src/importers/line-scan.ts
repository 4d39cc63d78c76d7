import { open } from "node:fs/promises";

/** Where a scan stopped: after the last complete (newline-terminated) line. */
export interface ScanEnd {
  /** Byte offset just past the last complete line read. */
  readonly offset: number;
  /** Complete lines read from the start of the file (the start line count plus those read now). */
  readonly lines: number;
  /** Bytes after `offset` that do not end in a newline yet: a line still being written (or a truncated file). */
  readonly tailBytes: number;
}

export interface ScanOptions {
  /** Byte offset to start from; must be the start of a line. Default 0. */
  readonly start?: number;
  /** Lines already before `start` (for 1-based line numbers). Default 0. */
  readonly startLine?: number;
  /**
   * Only lines containing these bytes reach `candidate`; the rest go to `other` without being decoded. A JSON
   * key with its quotes (`"usage":{`) cannot occur inside a JSON string value, where quotes are escaped.
   */
  readonly needle?: Buffer;
  /** A complete line that contains the needle: `bytes[start, end)`, without the newline (valid during the call). */
  candidate(line: number, bytes: Buffer, start: number, end: number): void;
  /** A complete non-blank line without the needle; `shapeOk` is false when it is not `{...}` (not a JSON object). */
  other?(line: number, shapeOk: boolean): void;
  /** Called after each chunk's lines, so the caller can write out what it collected. */
  afterChunk?(): Promise<void>;
  onBytes?(bytes: number): void;
}

const NL = 0x0a;
const CR = 0x0d;
const INITIAL = 1 << 22; // 4 MiB
// Chunk buffers are reused from file to file: allocating 4 MiB of external memory per file makes V8 run
// full collections on trees of thousands of files.
const spare: Buffer[] = [];

/**
 * Read a file from a byte offset in large chunks and hand out complete lines only. Memory is bounded by the chunk
 * and the longest line; lines without the needle are never decoded or parsed, which is where most of the bytes
 * of an agent log are (tool results, file contents).
 */
export async function scanLines(path: string, options: ScanOptions): Promise<ScanEnd> {
  const handle = await open(path, "r");
  let buf = spare.pop() ?? Buffer.allocUnsafe(INITIAL);
  let filled = 0; // valid bytes in buf
  let position = options.start ?? 0; // file offset of buf[filled]
  let consumed = options.start ?? 0; // file offset just past the last complete line
  let line = options.startLine ?? 0;
  const needle = options.needle;
  try {
    for (;;) {
      if (filled === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2); // one line longer than the buffer
        buf.copy(bigger, 0, 0, filled);
        buf = bigger;
      }
      const { bytesRead } = await handle.read(buf, filled, buf.length - filled, position);
      if (bytesRead === 0) break;
      options.onBytes?.(bytesRead);
      position += bytesRead;
      const end = filled + bytesRead;
      let start = 0;
      let hit = needle ? buf.indexOf(needle, 0) : -1;
      for (;;) {
        const nl = buf.indexOf(NL, start);
        if (nl === -1 || nl >= end) break;
        line += 1;
        let stop = nl;
        if (stop > start && buf[stop - 1] === CR) stop -= 1;
        if (stop > start) {
          if (hit !== -1 && hit < start) hit = buf.indexOf(needle!, start);
          if (!needle || (hit !== -1 && hit < stop)) {
            options.candidate(line, buf, start, stop);
          } else {
            options.other?.(line, buf[start] === 0x7b && lastNonSpace(buf, start, stop) === 0x7d);
          }
        }
        start = nl + 1;
      }
      consumed += start;
      buf.copy(buf, 0, start, end);
      filled = end - start;
      if (options.afterChunk) await options.afterChunk();
    }
    return { offset: consumed, lines: line, tailBytes: filled };
  } finally {
    if (buf.length === INITIAL && spare.length < 2) spare.push(buf);
    await handle.close();
  }
}

function lastNonSpace(buf: Buffer, start: number, stop: number): number {
  let i = stop - 1;
  while (i > start && (buf[i] === 0x20 || buf[i] === 0x09)) i -= 1;
  return buf[i]!;
}
