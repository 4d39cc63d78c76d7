import { copyFile, mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

export interface WriteOutcome {
  readonly path: string;
  /** False when the file already held exactly this text (nothing written, no backup). */
  readonly changed: boolean;
  /** The copy of the previous file, when there was one and it changed. */
  readonly backup: string | null;
}

/** The file's text, or null when it does not exist. */
export async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
}

/**
 * Replaces a user's config file: the old one is first copied to `<file>.tokenledger-backup-<UTC time>`, the new
 * text goes to a temporary file in the same folder and is renamed over it, so a crash leaves the old or the new
 * file, never half of one. Keeps the old file's permissions (Codex's config can hold tokens).
 */
export async function writeWithBackup(
  path: string,
  previous: string | null,
  text: string,
  now: Date = new Date(),
): Promise<WriteOutcome> {
  if (previous === text) return { path, changed: false, backup: null };
  await mkdir(dirname(path), { recursive: true });
  let backup: string | null = null;
  let mode = 0o600;
  if (previous !== null) {
    mode = (await stat(path)).mode & 0o777;
    backup = `${path}.tokenledger-backup-${now.toISOString().replace(/[-:]/g, "")}`;
    await copyFile(path, backup);
  }
  const tmp = `${path}.tokenledger-${process.pid}.tmp`;
  await writeFile(tmp, text, { mode });
  await rename(tmp, path);
  return { path, changed: true, backup };
}
