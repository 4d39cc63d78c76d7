import type { UsageEventInput } from "../core/event.js";

/** What a parser reports while reading one file. */
export interface ParseSink {
  event(input: UsageEventInput): void | Promise<void>;
  /** A line that is not valid JSON or lacks what the format requires. Never aborts the import. */
  malformed(line: number, reason: string): void;
  /** A snapshot superseded by a later one for the same message, or a repeated usage report. */
  duplicate(): void;
  bytes(count: number): void;
  /** A message held back because the file is still being written; the file is read again next time. */
  deferred(): void;
}

export interface ParseOptions {
  /** The file changed moments ago: its last message may still be streaming. */
  readonly live: boolean;
}

export interface AgentImporter {
  /** `claude-code`, `codex`, `gemini-cli`, `jsonl`. */
  readonly agent: string;
  /** Files this importer reads under `root` (a directory or a single file). */
  listFiles(root: string): AsyncIterable<string>;
  parseFile(path: string, sink: ParseSink, options?: ParseOptions): Promise<void>;
}
