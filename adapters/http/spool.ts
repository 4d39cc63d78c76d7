import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync, type PathLike } from "node:fs";
import { mkdir, open, readdir, readFile, rename, stat, unlink, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import {
  claimable,
  newSpoolId,
  parseSpoolFileName,
  PROCESS_OWN_IDS,
  spoolFileName,
  THIS_HOST,
  type SpoolFile,
} from "./spool-files.js";

export interface SpoolOptions {
  readonly dir: string;
  /** Bound on the directory's total size. A batch that would pass it is refused (the newest is dropped). */
  readonly maxBytes: number;
  /**
   * Claim files by rename before sending them (default true). `false` exists only for the negative-control test:
   * it reads files in place, and processes sharing the directory then send the same batches twice.
   */
  readonly claim?: boolean;
}

export interface SpoolStats {
  /** Events written to the spool by this process. */
  readonly spooledEvents: number;
  /** Spooled events (from any process's files) this process delivered. */
  readonly replayedEvents: number;
  /** Events refused because the spool was full (maxSpoolBytes), or because the disk write failed. */
  readonly refusedEvents: number;
  /** Lines skipped on replay: a torn last line (a crash mid-write) or a corrupt one. */
  readonly skippedLines: number;
  /** Bytes in the spool directory at the last look (this process's writes are counted at once). */
  readonly pendingBytes: number;
}

/** One spooled batch per line: `{"v":1,"events":[...wire events]}`. */
function encodeLine(events: readonly unknown[]): Buffer {
  return Buffer.from(`${JSON.stringify({ v: 1, events })}\n`);
}

/** The events of a spool file. A line that does not parse (torn by a crash, or corrupt) is skipped and counted. */
export function decodeSpool(text: string): { events: unknown[]; skipped: number } {
  const events: unknown[] = [];
  let skipped = 0;
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      const parsed = JSON.parse(line) as { v?: unknown; events?: unknown };
      if (parsed.v !== 1 || !Array.isArray(parsed.events)) throw new Error("not a spool line");
      events.push(...(parsed.events as unknown[]));
    } catch {
      skipped++;
    }
  }
  return { events, skipped };
}

function fsyncDirSync(dir: PathLike): void {
  try {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* some filesystems cannot fsync a directory; the file itself is synced */
  }
}

/**
 * A bounded on-disk queue of batches the server could not take. One file per process (no two writers share a file,
 * so lines never interleave); every write is fsync'd before it counts as spooled; replay claims a file by rename
 * before sending it, so processes sharing the directory never both send it. See spool-files.ts for the names.
 */
export class Spool {
  readonly dir: string;
  readonly #maxBytes: number;
  readonly #claim: boolean;
  /** Ids of files this process created (writing or claimed): never mistaken for a dead process's. */
  readonly #ownIds = PROCESS_OWN_IDS;
  #active: { handle: FileHandle; id: string; bytes: number } | undefined;
  #chain: Promise<unknown> = Promise.resolve();
  #dirReady: Promise<void> | undefined;
  #pendingBytes = 0;
  #claimableBytes = 0;
  #spooled = 0;
  #replayed = 0;
  #refused = 0;
  #skipped = 0;

  constructor(o: SpoolOptions) {
    this.dir = o.dir;
    this.#maxBytes = o.maxBytes;
    this.#claim = o.claim !== false;
  }

  stats(): SpoolStats {
    return {
      spooledEvents: this.#spooled,
      replayedEvents: this.#replayed,
      refusedEvents: this.#refused,
      skippedLines: this.#skipped,
      pendingBytes: this.#pendingBytes,
    };
  }

  /**
   * Something this process may send is waiting: its own file, or (at the last look) files it may claim. Files that
   * live processes are writing count toward the bound but not here.
   */
  get hasPending(): boolean {
    return this.#claimableBytes > 0 || (this.#active?.bytes ?? 0) > 0;
  }

  /** Create the directory and measure what earlier processes left. */
  async open(): Promise<void> {
    await this.#ensureDir();
    await this.#serial(() => this.#measure());
  }

  /**
   * Append one batch durably (written and fsync'd). Resolves false when the spool is full or the write failed:
   * the caller keeps the events (the tracker's in-memory queue) and nothing is half-counted.
   */
  append(events: readonly unknown[]): Promise<boolean> {
    return this.#serial(() => this.#append(events));
  }

  async #append(events: readonly unknown[]): Promise<boolean> {
    const line = encodeLine(events);
    if (this.#pendingBytes + line.length > this.#maxBytes) {
      this.#refused += events.length;
      return false;
    }
    try {
      await this.#ensureDir();
      if (!this.#active) {
        const id = newSpoolId();
        this.#ownIds.add(id);
        const name = spoolFileName({ state: "w", host: THIS_HOST, pid: process.pid, id });
        const handle = await open(join(this.dir, name), "a", 0o600);
        this.#active = { handle, id, bytes: 0 };
        fsyncDirSync(this.dir); // the new name itself must survive a crash
      }
      const active = this.#active;
      await active.handle.write(line);
      await active.handle.datasync();
      active.bytes += line.length;
    } catch {
      this.#refused += events.length;
      await this.#dropActive();
      return false;
    }
    this.#pendingBytes += line.length;
    this.#spooled += events.length;
    return true;
  }

  /**
   * Append synchronously, for the process `exit` hook (no event loop left). Writes a file of its own, so it never
   * interleaves with an asynchronous append still in flight, then seals it (renames it ready). Never throws.
   */
  appendSync(events: readonly unknown[]): boolean {
    try {
      const line = encodeLine(events);
      if (this.#pendingBytes + line.length > this.#maxBytes) {
        this.#refused += events.length;
        return false;
      }
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      const id = newSpoolId();
      this.#ownIds.add(id);
      const writing = join(this.dir, spoolFileName({ state: "w", host: THIS_HOST, pid: process.pid, id }));
      const fd = openSync(writing, "a", 0o600);
      try {
        writeSync(fd, line);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(writing, join(this.dir, spoolFileName({ state: "r", id })));
      fsyncDirSync(this.dir);
      this.#pendingBytes += line.length;
      this.#claimableBytes += line.length;
      this.#spooled += events.length;
      return true;
    } catch {
      this.#refused += events.length;
      return false;
    }
  }

  /** Close this process's file and mark it ready, so any process (this one included) may claim and send it. */
  seal(): Promise<void> {
    return this.#serial(() => this.#seal());
  }

  async #seal(): Promise<void> {
    const active = this.#active;
    if (!active) return;
    this.#active = undefined;
    await active.handle.close().catch(() => undefined);
    const from = join(
      this.dir,
      spoolFileName({ state: "w", host: THIS_HOST, pid: process.pid, id: active.id }),
    );
    await rename(from, join(this.dir, spoolFileName({ state: "r", id: active.id }))).catch(() => undefined);
  }

  async #dropActive(): Promise<void> {
    const active = this.#active;
    this.#active = undefined;
    await active?.handle.close().catch(() => undefined);
  }

  /**
   * Send every claimable file through `send` (oldest first) and delete each once delivered; no new file is claimed
   * once `stop()` says so. A failed send releases
   * the file (renamed ready again) and rejects with that error: the caller backs off and calls again later.
   */
  async replay(
    send: (events: unknown[]) => Promise<void>,
    stop: () => boolean = () => false,
  ): Promise<number> {
    await this.seal();
    await this.#ensureDir();
    let delivered = 0;
    const names = (await readdir(this.dir)).sort(byId);
    for (const name of names) {
      if (stop()) break; // the rest waits for the next pass (or the next process)
      const file = parseSpoolFileName(name);
      if (!file || !claimable(file, this.#ownIds)) continue;
      const path = this.#claim ? await this.#claimFile(name, file) : join(this.dir, name);
      if (path === null) continue; // another process claimed it first
      let text: string;
      try {
        text = await readFile(path, "utf8");
      } catch {
        continue; // gone (negative-control mode: another reader deleted it)
      }
      const { events, skipped } = decodeSpool(text);
      this.#skipped += skipped;
      try {
        if (events.length > 0) await send(events);
      } catch (err) {
        if (this.#claim)
          await rename(path, join(this.dir, spoolFileName({ state: "r", id: file.id }))).catch(
            () => undefined,
          );
        await this.#serial(() => this.#measure());
        throw err;
      }
      await unlink(path).catch(() => undefined);
      delivered += events.length;
      this.#replayed += events.length;
    }
    await this.#serial(() => this.#measure());
    return delivered;
  }

  async #claimFile(name: string, file: SpoolFile): Promise<string | null> {
    this.#ownIds.add(file.id);
    const claimed = join(
      this.dir,
      spoolFileName({ state: "c", host: THIS_HOST, pid: process.pid, id: file.id }),
    );
    try {
      await rename(join(this.dir, name), claimed);
      return claimed;
    } catch {
      return null;
    }
  }

  /**
   * Appends, sealing and measuring run one at a time: a measurement taken while an append is in flight would
   * overwrite the byte count with a stale one and let the spool grow past its bound.
   */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(fn);
    this.#chain = run.catch(() => undefined);
    return run;
  }

  async #measure(): Promise<void> {
    let total = 0;
    let claimableTotal = 0;
    try {
      for (const name of await readdir(this.dir)) {
        const file = parseSpoolFileName(name);
        if (!file) continue;
        const size = (await stat(join(this.dir, name)).catch(() => ({ size: 0 }))).size;
        total += size;
        if (claimable(file, this.#ownIds)) claimableTotal += size;
      }
    } catch {
      return;
    }
    this.#pendingBytes = total;
    this.#claimableBytes = claimableTotal;
  }

  #ensureDir(): Promise<void> {
    this.#dirReady ??= mkdir(this.dir, { recursive: true, mode: 0o700 }).then(() => undefined);
    this.#dirReady.catch(() => {
      this.#dirReady = undefined;
    });
    return this.#dirReady;
  }

  /** Release the open file (sealed: ready for the next process). */
  async close(): Promise<void> {
    await this.seal().catch(() => undefined);
  }
}

/** Oldest first: ids start with a base-36 timestamp. */
function byId(a: string, b: string): number {
  const ida = parseSpoolFileName(a)?.id ?? a;
  const idb = parseSpoolFileName(b)?.id ?? b;
  return ida < idb ? -1 : ida > idb ? 1 : 0;
}
