export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

export function printTable(title: string, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ");
  process.stdout.write(`\n## ${title}\n${line(header)}\n${widths.map((w) => "-".repeat(w)).join("  ")}\n`);
  for (const r of rows) process.stdout.write(`${line(r)}\n`);
}

import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** True when this module is the script node was started with. */
export function isMain(metaUrl: string): boolean {
  return process.argv[1] !== undefined && fileURLToPath(metaUrl) === resolve(process.argv[1]);
}

/** Quick mode (`npm run bench:quick`, CI): small sizes so every benchmark runs in seconds. */
export const QUICK = process.env.BENCH_QUICK === "1";

/** A size from the environment, else the quick or the full default. */
export function size(envName: string, full: number, quick: number): number {
  const raw = process.env[envName];
  if (raw === undefined || raw === "") return QUICK ? quick : full;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${envName} must be a positive number, got "${raw}"`);
  return n;
}

/** Throws when a benchmark's cross-check fails, so `bench/run.ts` reports it and exits non-zero. */
export function check(ok: boolean, message: string): asserts ok {
  if (!ok) throw new Error(`cross-check failed: ${message}`);
}
