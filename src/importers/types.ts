import type { UsageEventInput } from "../core/event.js";
import type { WalkError } from "./walk.js";

/** What a parser reports while reading one file. */
export interface ParseSink {
  event(input: UsageEventInput): void | Promise<void>;
  /** A line that is not valid JSON or lacks what the format requires. Never aborts the import. */
  malformed(line: number, reason: string): void;
  /** A snapshot superseded by a later one for the same message, or a repeated usage report. */
  duplicate(): void;
  bytes(count: number): void;
}

export interface ParseOptions {
  /** Read on from this byte offset (the start of a line) of a file that grew since the last import. */
  readonly startOffset?: number;
  /** Complete lines before `startOffset`. */
  readonly startLine?: number;
}

/** Where a parser stopped, for the import state (parsers that always read whole files return nothing). */
export interface ParseEnd {
  /** Just past the last complete line: a line still being written is left for the next import. */
  readonly offset: number;
  readonly lines: number;
  /** Bytes of an incomplete last line left unread. */
  readonly tailBytes: number;
  /** Ids of events stored from records that can still change (a message still streaming); revised later. */
  readonly provisional: readonly string[];
}

export interface AgentImporter {
  /** `claude-code`, `codex`, `gemini-cli`, `jsonl`. */
  readonly agent: string;
  /** Honours `ParseOptions.startOffset`: a grown file is read on from where the last import stopped. */
  readonly resumable?: boolean;
  /** Files this importer reads under `root` (a directory or a single file). */
  listFiles(root: string, onError?: WalkError): AsyncIterable<string>;
  parseFile(path: string, sink: ParseSink, options?: ParseOptions): Promise<ParseEnd | void>;
}
