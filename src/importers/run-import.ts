import { buildEvent, type BuildConfig } from "../core/event-builder.js";
import type { Pricer } from "../core/pricer.js";
import type { StorageAdapter } from "../core/storage.js";
import { fingerprintAt } from "./fingerprint.js";
import {
  bytesToRead,
  checkRoots,
  findCandidates,
  verifiedResume,
  type Candidate,
  type StartPoint,
} from "./import-candidates.js";
import { ImportWriter, type FinishedFile } from "./import-writer.js";
import type { ImportState } from "./state.js";
import type { AgentImporter, ParseEnd, ParseSink } from "./types.js";

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

// Enough to show the pattern of a broken file without flooding the summary; the count stays exact.
const MAX_SAMPLES = 20;

/** The summary's counters, shared by every file of one run. */
type Tally = {
  -readonly [K in keyof ImportSummary as ImportSummary[K] extends number ? K : never]: number;
};

/**
 * Read an agent's logs into the ledger: stream (from where the last import stopped, for importers that can),
 * de-duplicate, price, write in large batches (one transaction each, across files), revise provisional rows,
 * and remember each file only once everything read from it is stored.
 */
export async function runImport(run: ImportRun): Promise<ImportSummary> {
  const { importer, state } = run;
  const roots = typeof run.root === "string" ? [run.root] : [...run.root];
  await checkRoots(importer.agent, roots);
  const skipped: SkippedPath[] = [];
  const skip = (path: string, reason: string) => skipped.push({ path, reason });
  const { candidates, unchanged } = await findCandidates(importer, roots, state, run.full, skip);

  const tally: Tally = {
    files: candidates.length + unchanged,
    filesUnchanged: unchanged,
    filesResumed: 0,
    bytesRead: 0,
    events: 0,
    duplicates: 0,
    provisional: 0,
    revised: 0,
    incompleteTails: 0,
    malformedLines: 0,
  };
  const samples: MalformedLine[] = [];
  const unpriced: Record<string, number> = {};
  const writer = new ImportWriter(run.storage, state, run.batchSize ?? 5000);
  const ctx: FileContext = { run, tally, samples, unpriced, writer, skip, build: buildConfig(run.pricer) };

  run.progress?.start(bytesToRead(candidates, run.full), candidates.length);
  try {
    for (const file of candidates) {
      const finished = await importFile(file, ctx);
      if (finished) await writer.fileDone(finished);
    }
    await writer.flush();
  } finally {
    run.progress?.stop();
    await state.save();
  }
  return { agent: importer.agent, ...tally, malformedSamples: samples, skipped, unpriced };
}

/** What every file of one run shares: the counters, the writer and the event-building config. */
interface FileContext {
  readonly run: ImportRun;
  readonly tally: Tally;
  readonly samples: MalformedLine[];
  readonly unpriced: Record<string, number>;
  readonly writer: ImportWriter;
  readonly skip: (path: string, reason: string) => void;
  readonly build: BuildConfig;
}

/**
 * Imported events go through the same builder as live tracking (same ids, validation and pricing), with its
 * callbacks muted: the summary counts unpriced models itself, and a log line is history, not a live anomaly.
 */
function buildConfig(pricer: Pricer): BuildConfig {
  return {
    pricer,
    defaults: {},
    maxMetadataBytes: 8192,
    onUnpriced: () => {},
    onAnomaly: () => {},
    onPricingError: () => {},
  };
}

/** Parse one file into the writer; returns the state to record once its events are stored (null: skipped). */
async function importFile(file: Candidate, ctx: FileContext): Promise<FinishedFile | null> {
  const { run, tally } = ctx;
  const from = run.importer.resumable ? await verifiedResume(file, run.full) : { offset: 0, lines: 0 };
  if (from.offset > 0) tally.filesResumed += 1;
  let end: ParseEnd | void;
  try {
    end = await run.importer.parseFile(
      file.path,
      fileSink(file.path, new Set(file.previous?.provisional ?? []), ctx),
      from.offset > 0 ? { startOffset: from.offset, startLine: from.lines } : {},
    );
  } catch (error) {
    // Vanished or unreadable mid-scan: what was read is stored, the file is not marked, a rerun retries it.
    ctx.skip(file.path, error instanceof Error ? error.message : String(error));
    return null;
  }
  if (!end) {
    // Importers that cannot read on from an offset consume the whole file.
    return { path: file.path, state: { size: file.size, mtimeMs: file.mtimeMs, offset: file.size } };
  }
  tally.provisional += end.provisional.length;
  if (end.tailBytes > 0) tally.incompleteTails += 1;
  return { path: file.path, state: await resumableState(file, from, end) };
}

/** The parser's callbacks for one file: build, count and queue each event (the hot path of an import). */
function fileSink(path: string, revisable: ReadonlySet<string>, ctx: FileContext): ParseSink {
  const { run, tally, samples, unpriced, writer, build } = ctx;
  return {
    event: async (input) => {
      const built = buildEvent(input, {}, Date.now(), 1, build);
      if (!built.ok) return;
      tally.events += 1;
      if (built.event.unpriced && built.event.usageSource !== "invalid") {
        const key = `${built.event.provider}/${built.event.model}`;
        unpriced[key] = (unpriced[key] ?? 0) + 1;
      }
      const revise = revisable.has(built.event.id);
      if (revise) tally.revised += 1;
      await writer.add(built.event, revise);
    },
    malformed: (line, reason) => {
      tally.malformedLines += 1;
      if (samples.length < MAX_SAMPLES) samples.push({ file: path, line, reason });
    },
    duplicate: () => {
      tally.duplicates += 1;
    },
    bytes: (n) => {
      tally.bytesRead += n;
      run.progress?.advance(n, path);
    },
  };
}

/** The state of a file read up to `end`, with a fingerprint so the next import can tell an append from a rewrite. */
async function resumableState(
  file: Candidate,
  from: StartPoint,
  end: ParseEnd,
): Promise<FinishedFile["state"]> {
  // Nothing new read: the provisional ids of the last import are still the ones to revise later.
  const carried = end.offset === from.offset ? (file.previous?.provisional ?? []) : end.provisional;
  return {
    // Size as consumed: a file still growing (or ending in a partial line) is read on next time.
    size: end.offset + end.tailBytes,
    mtimeMs: file.mtimeMs,
    offset: end.offset,
    lines: end.lines,
    fingerprint: await fingerprintAt(file.path, end.offset),
    ...(carried.length > 0 ? { provisional: carried } : {}),
  };
}
