import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import type { DatabaseTarget } from "../core/database-url.js";

/** What was seen of a file at its last import; an unchanged file is skipped without reading. */
export interface FileState {
  readonly size: number;
  readonly mtimeMs: number;
  /** Bytes read: just past the last complete line. A grown file is read on from here. */
  readonly offset: number;
  /** Complete lines before `offset` (line numbers in messages stay right when reading on). */
  readonly lines?: number;
  /** Hash of the bytes just before `offset`: a file rewritten rather than appended to is read again from 0. */
  readonly fingerprint?: string;
  /** Ids stored provisionally (a message still streaming at the end of the file); a later import revises them. */
  readonly provisional?: readonly string[];
  readonly importedAt: string;
}

interface StateFile {
  readonly version: 1 | 2;
  files: Record<string, FileState>;
}

/**
 * The state lives next to a SQLite ledger (`ledger.db.import-state.json`); for other ledgers in
 * `$XDG_STATE_HOME/tokenledger/`, keyed by a hash of the URL, so two ledgers never share state.
 */
export function importStatePath(target: DatabaseTarget, env: NodeJS.ProcessEnv = process.env): string {
  if (target.kind === "sqlite") return `${target.path}.import-state.json`;
  const base =
    env.XDG_STATE_HOME && isAbsolute(env.XDG_STATE_HOME)
      ? env.XDG_STATE_HOME
      : join(homedir(), ".local", "state");
  const key =
    target.kind === "postgres" || target.kind === "http"
      ? createHash("sha256").update(target.url).digest("hex").slice(0, 16)
      : "memory";
  return join(base, "tokenledger", `import-state-${key}.json`);
}

export class ImportState {
  private constructor(
    private readonly path: string | null,
    private readonly data: StateFile,
  ) {}

  /** A missing or unreadable state file means "import everything" (ids keep that idempotent). */
  static async load(path: string | null): Promise<ImportState> {
    if (path) {
      try {
        const parsed = JSON.parse(await readFile(path, "utf8")) as StateFile;
        // Version 1 (whole files only) reads as version 2 without fingerprints: its offset is the size then read.
        if (
          (parsed?.version === 1 || parsed?.version === 2) &&
          parsed.files &&
          typeof parsed.files === "object"
        )
          return new ImportState(path, { version: 2, files: parsed.files });
      } catch {
        /* start fresh */
      }
    }
    return new ImportState(path, { version: 2, files: {} });
  }

  isUnchanged(file: string, size: number, mtimeMs: number): boolean {
    const s = this.data.files[file];
    return s !== undefined && s.size === size && s.mtimeMs === mtimeMs && s.offset === size;
  }

  get(file: string): FileState | undefined {
    return this.data.files[file];
  }

  set(file: string, state: Omit<FileState, "importedAt">): void {
    this.data.files[file] = { ...state, importedAt: new Date().toISOString() };
  }

  markImported(file: string, size: number, mtimeMs: number): void {
    this.set(file, { size, mtimeMs, offset: size });
  }

  /** Atomic write (temp file + rename) so an interrupted import never leaves a torn state file. */
  async save(): Promise<void> {
    if (!this.path) return;
    await mkdir(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(this.data));
    await rename(tmp, this.path);
  }
}
