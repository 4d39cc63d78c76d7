import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { sqliteStorage } from "tokenledger/sqlite";
import { childOutput, spawnChild } from "./child-process.js";

const dir = mkdtempSync(join(tmpdir(), "tl-p21-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Report {
  committed: number;
  busyRetries: number;
  unrecovered: number;
}

async function runWriters(
  path: string,
  mode: "immediate" | "deferred",
  tx: number,
  rows: number,
): Promise<Report[]> {
  const init = sqliteStorage({ path });
  await init.init(); // schema first, so the children race only on writes
  await init.close();
  const startAt = Date.now() + 1500; // barrier: all four start writing at the same instant
  const children = await Promise.all(
    [0, 1, 2, 3].map(() =>
      spawnChild("sqlite-multi-writer.ts", [path, mode, String(tx), String(rows), String(startAt)]),
    ),
  );
  const outs = await Promise.all(children.map((c) => childOutput(c)));
  return outs.map((o) => {
    expect(o.code, o.stderr).toBe(0);
    return JSON.parse(o.stdout.trim().split("\n").pop()!) as Report;
  });
}

function countRows(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare("select count(*) as n from token_ledger_events").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe("P21: several processes writing one SQLite file lose nothing", () => {
  it("4 processes × 300 transactions × 10 rows through the adapter: exact count, no unrecovered SQLITE_BUSY", async () => {
    const path = join(dir, "immediate.db");
    const reports = await runWriters(path, "immediate", 300, 10);
    console.info(
      `P21 immediate: ${reports.reduce((a, r) => a + r.busyRetries, 0)} transient SQLITE_BUSY retried, all recovered`,
    );
    expect(reports.map((r) => r.unrecovered)).toEqual([0, 0, 0, 0]);
    expect(reports.reduce((a, r) => a + r.committed, 0)).toBe(1200);
    expect(countRows(path)).toBe(12_000);
  }, 60_000);

  it("negative control: deferred BEGIN with read-then-write loses batches to SQLITE_BUSY (the test has teeth)", async () => {
    const path = join(dir, "deferred.db");
    const reports = await runWriters(path, "deferred", 300, 10);
    const failed = reports.reduce((a, r) => a + r.unrecovered, 0);
    console.info(`P21 deferred control: ${failed} of 1200 transactions failed`);
    expect(failed).toBeGreaterThan(0);
    expect(countRows(path)).toBeLessThan(12_000);
    expect(countRows(path)).toBe(reports.reduce((a, r) => a + r.committed, 0) * 10);
  }, 60_000);
});
