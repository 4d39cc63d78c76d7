import { stat } from "node:fs/promises";
import type { LedgerEvent } from "../core/event.js";
import { buildEvent, type BuildConfig } from "../core/event-builder.js";
import { TokenLedgerConfigError } from "../core/errors.js";
import type { Pricer } from "../core/pricer.js";
import type { StorageAdapter } from "../core/storage.js";
import type { ImportState } from "./state.js";
import type { AgentImporter } from "./types.js";

export interface ImportProgress {
  start(totalBytes: number, files: number): void;
  advance(bytes: number, file: string): void;
  stop(): void;
}

export interface ImportRun {
  readonly importer: AgentImporter;
  /** A directory to walk or a single file. */
  readonly root: string;
  readonly storage: StorageAdapter;
  readonly pricer: Pricer;
  readonly state: ImportState;
  /** Re-read files even when their size and mtime are unchanged. */
  readonly full?: boolean;
  readonly progress?: ImportProgress;
  readonly batchSize?: number;
  /** A file modified less than this long ago counts as still being written. Default 60 s. */
  readonly liveWindowMs?: number;
  readonly now?: number;
}

export interface MalformedLine {
  readonly file: string;
  readonly line: number;
  readonly reason: string;
}

export interface ImportSummary {
  readonly agent: string;
  /** Files found under the root. */
  readonly files: number;
  /** Files skipped because they had not changed since the last import. */
  readonly filesUnchanged: number;
  readonly bytesRead: number;
  /** Distinct usage events read (after in-file de-duplication), new or already in the ledger. */
  readonly events: number;
  /** Superseded streaming snapshots and repeated usage reports skipped while reading. */
  readonly duplicates: number;
  /** Messages held back because their file is still being written (imported by a later run). */
  readonly deferred: number;
  readonly malformedLines: number;
  /** The first malformed lines, with file and line number. */
  readonly malformedSamples: readonly MalformedLine[];
  /** `provider/model` → events stored without a price. */
  readonly unpriced: Readonly<Record<string, number>>;
}

const MAX_SAMPLES = 20;

/** Read an agent's logs into the ledger: stream, de-duplicate, price, insert in batches, remember files. */
export async function runImport(run: ImportRun): Promise<ImportSummary> {
  const { importer, root, storage, state } = run;
  try {
    await stat(root);
  } catch {
    throw new TokenLedgerConfigError(
      `import ${importer.agent}: ${root} does not exist (pass --dir or a file path)`,
    );
  }
  const candidates: { path: string; size: number; mtimeMs: number }[] = [];
  let filesUnchanged = 0;
  for await (const path of importer.listFiles(root)) {
    const info = await stat(path);
    if (!run.full && state.isUnchanged(path, info.size, info.mtimeMs)) filesUnchanged += 1;
    else candidates.push({ path, size: info.size, mtimeMs: info.mtimeMs });
  }

  const unpriced: Record<string, number> = {};
  const samples: MalformedLine[] = [];
  let malformedLines = 0;
  let duplicates = 0;
  let deferred = 0;
  const liveSince = (run.now ?? Date.now()) - (run.liveWindowMs ?? 60_000);
  let events = 0;
  let bytesRead = 0;
  const batchSize = run.batchSize ?? 1000;
  let batch: LedgerEvent[] = [];
  const build: BuildConfig = {
    pricer: run.pricer,
    defaults: {},
    maxMetadataBytes: 8192,
    onUnpriced: () => {},
    onAnomaly: () => {},
    onPricingError: () => {},
  };
  const flush = async () => {
    if (batch.length === 0) return;
    const pending = batch;
    batch = [];
    await storage.insertBatch(pending);
  };

  run.progress?.start(
    candidates.reduce((n, c) => n + c.size, 0),
    candidates.length,
  );
  try {
    for (const file of candidates) {
      let held = false;
      await importer.parseFile(
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
            batch.push(built.event);
            if (batch.length >= batchSize) await flush();
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
          deferred: () => {
            deferred += 1;
            held = true;
          },
        },
        { live: file.mtimeMs > liveSince },
      );
      await flush();
      // Only a file whose events are all stored is remembered as done.
      if (!held) state.markImported(file.path, file.size, file.mtimeMs);
    }
  } finally {
    run.progress?.stop();
    await state.save();
  }
  return {
    agent: importer.agent,
    files: candidates.length + filesUnchanged,
    filesUnchanged,
    bytesRead,
    events,
    duplicates,
    deferred,
    malformedLines,
    malformedSamples: samples,
    unpriced,
  };
}
