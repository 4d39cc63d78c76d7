import { opendir, realpath, stat } from "node:fs/promises";
import { join } from "node:path";

/** Told about a directory the walk could not read (it carries on with the rest). */
export type WalkError = (path: string, reason: string) => void;

/**
 * Every file under `root` whose name passes `accept`, depth first, sorted per directory for stable order.
 * Symbolic links are not followed (no loops); an unreadable directory below the root goes to `onError`.
 */
export async function* walkFiles(
  root: string,
  accept: (name: string) => boolean,
  onError?: WalkError,
): AsyncGenerator<string> {
  // Canonical paths: the same tree reached through a relative path or a symlink yields the same file names,
  // which event ids and per-file import state are derived from.
  root = await realpath(root);
  const info = await stat(root);
  if (info.isFile()) {
    yield root;
    return;
  }
  yield* walkDir(root, accept, onError, true);
}

async function* walkDir(
  dir: string,
  accept: (name: string) => boolean,
  onError: WalkError | undefined,
  isRoot: boolean,
): AsyncGenerator<string> {
  const entries: { name: string; dir: boolean }[] = [];
  try {
    for await (const entry of await opendir(dir)) {
      if (entry.isDirectory()) entries.push({ name: entry.name, dir: true });
      else if (entry.isFile() && accept(entry.name)) entries.push({ name: entry.name, dir: false });
    }
  } catch (error) {
    if (isRoot || !onError) throw error;
    onError(dir, error instanceof Error ? error.message : String(error));
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.dir) yield* walkDir(path, accept, onError, false);
    else yield path;
  }
}
