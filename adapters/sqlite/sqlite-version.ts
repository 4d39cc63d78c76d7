import { SQLITE_VERSION_FLOOR } from "./sqlite-storage-config.js";

function parts(v: string): number[] {
  return v.split(".").map((x) => Number.parseInt(x, 10) || 0);
}

/** Compare dotted versions: negative when a < b. */
export function compareVersions(a: string, b: string): number {
  const x = parts(a);
  const y = parts(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The loud warning for SQLite builds with the WAL-reset bug, or null when the version is safe. */
export function sqliteVersionWarning(version: string): string | null {
  if (compareVersions(version, SQLITE_VERSION_FLOOR) >= 0) return null;
  return (
    `SQLite ${version} has the WAL-reset bug (3.7.0–3.51.2) that can corrupt a database written by several ` +
    `processes at once; upgrade better-sqlite3 to 12.8.0 or later (bundles SQLite >= ${SQLITE_VERSION_FLOOR})`
  );
}
