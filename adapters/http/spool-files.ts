import { randomBytes } from "node:crypto";
import { hostname } from "node:os";

/**
 * Spool file names say who may touch a file, so that processes sharing a spool directory never send a batch
 * twice and never read a file while it is written:
 * - `w_<host>_<pid>_<id>.ndjson`: being written by that process; nobody else reads it while the process lives.
 * - `r_<id>.ndjson`: ready (sealed by its writer, or released after a failed send); anyone may claim it.
 * - `c_<host>_<pid>_<id>.ndjson`: claimed by that process, which is sending it and deletes it when delivered.
 * A claim is a `rename()`: atomic, so of two processes claiming one file exactly one wins (the other gets ENOENT).
 * Files of a dead writer or claimer on this host are claimed again; those of another host are left to that host.
 */
export type SpoolFile =
  | { readonly state: "w" | "c"; readonly host: string; readonly pid: number; readonly id: string }
  | { readonly state: "r"; readonly id: string };

export const THIS_HOST = hostname().replace(/[^A-Za-z0-9.-]/g, "-") || "host";

/**
 * Ids of the spool files this process created or claimed, shared by every spool instance in the process: two
 * storages on one directory must not take each other's open file for a dead process's.
 */
export const PROCESS_OWN_IDS = new Set<string>();

export function newSpoolId(): string {
  // Time first so that names sort roughly oldest first: replay keeps the order batches were spooled in.
  return `${Date.now().toString(36).padStart(9, "0")}${randomBytes(6).toString("hex")}`;
}

export function spoolFileName(f: SpoolFile): string {
  return f.state === "r" ? `r_${f.id}.ndjson` : `${f.state}_${f.host}_${f.pid}_${f.id}.ndjson`;
}

export function parseSpoolFileName(name: string): SpoolFile | null {
  const ready = /^r_([a-z0-9]+)\.ndjson$/.exec(name);
  if (ready) return { state: "r", id: ready[1] as string };
  const owned = /^([wc])_([A-Za-z0-9.-]+)_(\d+)_([a-z0-9]+)\.ndjson$/.exec(name);
  if (!owned) return null;
  return {
    state: owned[1] as "w" | "c",
    host: owned[2] as string,
    pid: Number(owned[3]),
    id: owned[4] as string,
  };
}

/** True when a process with this pid exists on this machine (EPERM: it exists, owned by someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * May this process claim the file? Ready files: yes. A writer's or claimer's file: only when that process is gone
 * (same host, pid not alive), or when the pid is ours but the file is not (a restarted container reuses pid 1).
 */
export function claimable(f: SpoolFile, ownIds: ReadonlySet<string>): boolean {
  if (f.state === "r") return true;
  if (f.host !== THIS_HOST) return false;
  if (f.pid === process.pid) return !ownIds.has(f.id);
  return !processAlive(f.pid);
}
