import { opendir, realpath, stat } from "node:fs/promises";
import { join } from "node:path";

/** Every file under `root` whose name passes `accept`, depth first, sorted per directory for stable order. */
export async function* walkFiles(root: string, accept: (name: string) => boolean): AsyncGenerator<string> {
  // Canonical paths: the same tree reached through a relative path or a symlink yields the same file names,
  // which event ids and per-file import state are derived from.
  root = await realpath(root);
  const info = await stat(root);
  if (info.isFile()) {
    yield root;
    return;
  }
  const entries: { name: string; dir: boolean }[] = [];
  for await (const entry of await opendir(root)) {
    if (entry.isDirectory()) entries.push({ name: entry.name, dir: true });
    else if (entry.isFile() && accept(entry.name)) entries.push({ name: entry.name, dir: false });
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(root, entry.name);
    if (entry.dir) yield* walkFiles(path, accept);
    else yield path;
  }
}
