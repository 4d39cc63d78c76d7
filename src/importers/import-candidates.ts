import { stat } from "node:fs/promises";
import { TokenLedgerConfigError } from "../core/errors.js";
import { fingerprintAt } from "./fingerprint.js";
import type { FileState, ImportState } from "./state.js";
import type { AgentImporter } from "./types.js";

/** A file the import will read: its size and mtime now, and what the last import saw of it. */
export interface Candidate {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly previous: FileState | undefined;
}

/** Where reading starts in a file: a byte offset and the count of complete lines before it. */
export interface StartPoint {
  readonly offset: number;
  readonly lines: number;
}

const FROM_START: StartPoint = { offset: 0, lines: 0 };

/** A missing root is a usage error (a typo in --dir), not an empty import: fail before touching the ledger. */
export async function checkRoots(agent: string, roots: readonly string[]): Promise<void> {
  for (const root of roots) {
    try {
      await stat(root);
    } catch {
      throw new TokenLedgerConfigError(`import ${agent}: ${root} does not exist (pass --dir or a file path)`);
    }
  }
}

/**
 * Walk every root and split the files into those to read and the unchanged ones (same size and mtime as last
 * time; `full` reads them all). Unreadable paths go to `skip` and the walk goes on: a rerun retries them.
 */
export async function findCandidates(
  importer: AgentImporter,
  roots: readonly string[],
  state: ImportState,
  full: boolean | undefined,
  skip: (path: string, reason: string) => void,
): Promise<{ candidates: Candidate[]; unchanged: number }> {
  const candidates: Candidate[] = [];
  let unchanged = 0;
  const seen = new Set<string>();
  for (const root of roots) {
    for await (const path of importer.listFiles(root, skip)) {
      if (seen.has(path)) continue; // two roots overlapping
      seen.add(path);
      const info = await stat(path).catch((e: unknown) => {
        skip(path, e instanceof Error ? e.message : String(e));
        return null;
      });
      if (!info) continue;
      if (!full && state.isUnchanged(path, info.size, info.mtimeMs)) unchanged += 1;
      else candidates.push({ path, size: info.size, mtimeMs: info.mtimeMs, previous: state.get(path) });
    }
  }
  return { candidates, unchanged };
}

/** Bytes the import expects to read, for the progress bar (judged by the stored state alone, no hashing). */
export function bytesToRead(candidates: readonly Candidate[], full?: boolean): number {
  return candidates.reduce((n, c) => n + Math.max(0, c.size - resumeFrom(c, full).offset), 0);
}

/** Where a grown file can be read on from, judged by the stored state alone (for the progress total). */
function resumeFrom(file: Candidate, full?: boolean): StartPoint {
  const p = file.previous;
  // A file now shorter than what was read was truncated or replaced: nothing before the offset can be trusted.
  if (full || !p || p.offset > file.size) return FROM_START;
  return { offset: p.offset, lines: p.lines ?? 0 };
}

/**
 * `resumeFrom`, checked against the bytes before the offset: a rewritten file is read again from the start.
 * Size and mtime alone cannot tell "appended to" from "rewritten and grown", and reading on from a stale offset
 * would silently drop or misparse usage; the fingerprint of the bytes just before the offset can.
 */
export async function verifiedResume(file: Candidate, full?: boolean): Promise<StartPoint> {
  const from = resumeFrom(file, full);
  if (from.offset === 0) return from;
  const expected = file.previous?.fingerprint;
  if (expected === undefined) return from; // state from before fingerprints: its offset was the whole file
  return (await fingerprintAt(file.path, from.offset)) === expected ? from : FROM_START;
}
