import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { sqliteStorage } from "tokenledger/sqlite";
import { ledgerEvent } from "../contract/ledger-events.js";

const dir = mkdtempSync(join(tmpdir(), "tl-p23-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const walSize = (p: string) => statSync(`${p}-wal`).size;

describe("P23: the WAL file stays bounded", () => {
  it("grows past the threshold under a long reader, then the interval checkpoint truncates it", async () => {
    const path = join(dir, "ledger.db");
    const limit = 1024 * 1024;
    const storage = sqliteStorage({ path, walCheckpointBytes: limit, walCheckIntervalMs: 50 });
    await storage.init();
    await storage.insertBatch([ledgerEvent()]);

    // A reader holding a snapshot stops checkpoints from resetting the WAL (checkpoint starvation).
    const reader = new Database(path);
    reader.exec("BEGIN");
    reader.prepare("select count(*) from token_ledger_events").get();
    const blob = { pad: "x".repeat(2000) };
    for (let i = 0; i < 30; i++) {
      await storage.insertBatch(Array.from({ length: 100 }, () => ledgerEvent({ metadata: blob })));
    }
    expect(walSize(path)).toBeGreaterThan(limit);

    reader.exec("COMMIT");
    reader.close();
    const deadline = Date.now() + 3000;
    while (walSize(path) > limit && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    expect(walSize(path)).toBeLessThanOrEqual(limit);
    expect(storage.walCheckpoints).toBeGreaterThan(0);
    expect((await storage.rollup({})).totals.events).toBe(3001);

    await storage.insertBatch([ledgerEvent()]);
    await storage.close();
    // TRUNCATE at close (and SQLite removes the file when the last connection closes).
    expect(existsSync(`${path}-wal`) ? walSize(path) : 0).toBe(0);
  });
});
