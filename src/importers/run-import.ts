import { stat } from "node:fs/promises";
import type { LedgerEvent } from "../core/event.js";
import { buildEvent, type BuildConfig } from "../core/event-builder.js";
import { TokenLedgerConfigError } from "../core/errors.js";
import type { Pricer } from "../core/pricer.js";
import type { StorageAdapter } from "../core/storage.js";
import { withoutLiveDuplicates } from "../proxy/live-duplicates.js";
import { fingerprintAt } from "./fingerprint.js";
import type { FileState, ImportState } from "./state.js";
import type { AgentImporter, ParseEnd } from "./types.js";

export interface ImportProgress {
  start(totalBytes: number, files: number): void;
  advance(bytes: number, file: string): void;
  stop(): void;
}

export interface ImportRun {
  readonly importer: AgentImporter;
  /** A directory to walk or a single file; several for agents with several homes (`CLAUDE_CONFIG_DIR=a,b`). */
  readonly root: string | readonly string[];
  readonly storage: StorageAdapter;
  readonly pricer: Pricer;
  readonly state: ImportState;
  /** Re-read files from the start even when their size and mtime are unchanged. */
  readonly full?: boolean;
  readonly progress?: ImportProgress;
  /** Events per storage transaction (across files). Default 5000. */
  readonly batchSize?: number;
}

export interface MalformedLine {
  readonly file: string;
  readonly line: number;
  readonly reason: string;
}

/** A file or directory the import could not read (it went on with the rest; a rerun retries it). */
export interface SkippedPath {
  readonly path: string;
  readonly reason: string;
}

export interface ImportSummary {
  readonly agent: string;
  /** Files found under the root(s). */
  readonly files: number;
  /** Files skipped because they had not changed since the last import. */
  readonly filesUnchanged: number;
  /** Files read on from where the last import stopped (only their new bytes were read). */
  readonly filesResumed: number;
  readonly bytesRead: number;
  /** Distinct usage events read (after in-file de-duplication), new or already in the ledger. */
  readonly events: number;
  /** Superseded streaming snapshots and repeated usage reports skipped while reading. */
  readonly duplicates: number;
  /** Events stored provisionally (a message that may still be streaming); the next import revises them. */
  readonly provisional: number;
  /** Provisional events of earlier imports replaced by what this import read. */
  readonly revised: number;
  /** Files ending in a line still being written (left for the next import). */
  readonly incompleteTails: number;
  readonly malformedLines: number;
  /** The first malformed lines, with file and line number. */
  readonly malformedSamples: readonly MalformedLine[];
  /** Files that vanished or could not be read, and unreadable directories. */
  readonly skipped: readonly SkippedPath[];
  /** `provider/model` → events read without a price (stored with cost null). */
  readonly unpriced: Readonly<Record<string, number>>;
}

const MAX_SAMPLES = 20;

interface Candidate {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly previous: FileState | undefined;
}

/**
 * Read an agent's logs into the ledger: stream (from where the last import stopped, for importers that can),
 * de-duplicate, price, write in large batches (one transaction each, across files), revise provisional rows,
 * and remember each file only once everything read from it is stored.
 */
export async function runImport(run: ImportRun): Promise<ImportSummary> {
  const { importer, storage, state } = run;
  const roots = typeof run.root === "string" ? [run.root] : [...run.root];
  for (const root of roots) {
    try {
      await stat(root);
    } catch {
      throw new TokenLedgerConfigError(
        `import ${importer.agent}: ${root} does not exist (pass --dir or a file path)`,
      );
    }
  }
  const skipped: SkippedPath[] = [];
  const skip = (path: string, reason: string) => skipped.push({ path, reason });
  const candidates: Candidate[] = [];
  let filesUnchanged = 0;
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
      if (!run.full && state.isUnchanged(path, info.size, info.mtimeMs)) filesUnchanged += 1;
      else candidates.push({ path, size: info.size, mtimeMs: info.mtimeMs, previous: state.get(path) });
    }
  }

  const unpriced: Record<string, number> = {};
  const samples: MalformedLine[] = [];
  let malformedLines = 0;
  let duplicates = 0;
  let events = 0;
  let provisional = 0;
  let revised = 0;
  let incompleteTails = 0;
  let filesResumed = 0;
  let bytesRead = 0;
  const batchSize = run.batchSize ?? 5000;
  let inserts: LedgerEvent[] = [];
  let replaces: LedgerEvent[] = [];
  // File states to record once the batch holding their last events is stored.
  let finished: { path: string; state: Omit<FileState, "importedAt"> }[] = [];
  const build: BuildConfig = {
    pricer: run.pricer,
    defaults: {},
    maxMetadataBytes: 8192,
    onUnpriced: () => {},
    onAnomaly: () => {},
    onPricingError: () => {},
  };
  const flush = async () => {
    if (inserts.length > 0) {
      const pending = inserts;
      inserts = [];
      // A call the proxy or OTLP receiver already recorded (same request id) is not counted twice.
      await storage.insertBatch(await withoutLiveDuplicates(storage, pending));
    }
    if (replaces.length > 0) {
      const pending = replaces;
      replaces = [];
      if (storage.replaceBatch) await storage.replaceBatch(pending);
      else await storage.insertBatch(pending);
    }
    for (const f of finished) state.set(f.path, f.state);
    finished = [];
  };

  run.progress?.start(
    candidates.reduce((n, c) => n + Math.max(0, c.size - resumeFrom(c, run.full).offset), 0),
    candidates.length,
  );
  try {
    for (const file of candidates) {
      const from = importer.resumable ? await verifiedResume(file, run.full) : { offset: 0, lines: 0 };
      if (from.offset > 0) filesResumed += 1;
      const revisable = new Set(file.previous?.provisional ?? []);
      let end: ParseEnd | void;
      try {
        end = await importer.parseFile(
          file.path,
          {
            event: async (input) => {
              const built = buildEvent(input, {}, Date.now(), 1, build);
              if (!built.ok) return;
              events += 1;
              if (built.event.unpriced && built.event.usageSource !== "invalid") {
                const key = `${built.event.provider}/${built.event.model}`;
                unpriced[key] = (unpriced[key] ?? 0) + 1;
              }
              if (revisable.has(built.event.id)) {
                revised += 1;
                replaces.push(built.event);
              } else inserts.push(built.event);
              if (inserts.length + replaces.length >= batchSize) await flush();
            },
            malformed: (line, reason) => {
              malformedLines += 1;
              if (samples.length < MAX_SAMPLES) samples.push({ file: file.path, line, reason });
            },
            duplicate: () => {
              duplicates += 1;
            },
            bytes: (n) => {
              bytesRead += n;
              run.progress?.advance(n, file.path);
            },
          },
          from.offset > 0 ? { startOffset: from.offset, startLine: from.lines } : {},
        );
      } catch (error) {
        // Vanished or unreadable mid-scan: what was read is stored, the file is not marked, a rerun retries it.
        skip(file.path, error instanceof Error ? error.message : String(error));
        continue;
      }
      if (end) {
        provisional += end.provisional.length;
        if (end.tailBytes > 0) incompleteTails += 1;
        const carried = end.offset === from.offset ? (file.previous?.provisional ?? []) : end.provisional;
        finished.push({
          path: file.path,
          state: {
            // Size as consumed: a file still growing (or ending in a partial line) is read on next time.
            size: end.offset + end.tailBytes,
            mtimeMs: file.mtimeMs,
            offset: end.offset,
            lines: end.lines,
            fingerprint: await fingerprintAt(file.path, end.offset),
            ...(carried.length > 0 ? { provisional: carried } : {}),
          },
        });
      } else {
        finished.push({
          path: file.path,
          state: { size: file.size, mtimeMs: file.mtimeMs, offset: file.size },
        });
      }
      if (finished.length >= 256) await flush();
    }
    await flush();
  } finally {
    run.progress?.stop();
    await state.save();
  }
  return {
    agent: importer.agent,
    files: candidates.length + filesUnchanged,
    filesUnchanged,
    filesResumed,
    bytesRead,
    events,
    duplicates,
    provisional,
    revised,
    incompleteTails,
    malformedLines,
    malformedSamples: samples,
    skipped,
    unpriced,
  };
}

/** Where a grown file can be read on from, judged by the stored state alone (for the progress total). */
function resumeFrom(file: Candidate, full?: boolean): { offset: number; lines: number } {
  const p = file.previous;
  if (full || !p || p.offset > file.size) return { offset: 0, lines: 0 };
  return { offset: p.offset, lines: p.lines ?? 0 };
}

/** `resumeFrom`, checked against the bytes before the offset: a rewritten file is read again from the start. */
async function verifiedResume(file: Candidate, full?: boolean): Promise<{ offset: number; lines: number }> {
  const from = resumeFrom(file, full);
  if (from.offset === 0) return from;
  const expected = file.previous?.fingerprint;
  if (expected === undefined) return from; // state from before fingerprints: its offset was the whole file
  return (await fingerprintAt(file.path, from.offset)) === expected ? from : { offset: 0, lines: 0 };
}
