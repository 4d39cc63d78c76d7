import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { sqliteStorage } from "tokenledger/sqlite";
import { PROJECTIONS } from "../../adapters/_kysely/projections.js";
import { childOutput, spawnChild, waitForLine } from "./child-process.js";

const dir = mkdtempSync(join(tmpdir(), "tl-p13-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("P13: kill -9 during a flush leaves no partial batch and no corruption (SQLite)", () => {
  it("after 20 SIGKILLs mid-write, rows are a multiple of the batch and the rollup matches", async () => {
    const path = join(dir, "ledger.db");
    const BATCH = 1000;
    let kills = 0;
    for (let round = 0; round < 10; round++) {
      // Two writers at once, each killed after a random delay while its 1000-row transactions run.
      const children = await Promise.all(
        [0, 1].map(() => spawnChild("sqlite-kill-writer.ts", [path, String(BATCH)])),
      );
      const exits = children.map((c) => childOutput(c));
      await Promise.all(children.map((c) => waitForLine(c, "ready")));
      await Promise.all(
        children.map(
          (c) =>
            new Promise<void>((r) =>
              setTimeout(
                () => {
                  c.kill("SIGKILL");
                  r();
                },
                20 + Math.random() * 150,
              ),
            ),
        ),
      );
      for (const e of await Promise.all(exits)) expect(e.signal).toBe("SIGKILL");
      kills += children.length;
    }
    expect(kills).toBeGreaterThanOrEqual(20);

    const db = new Database(path, { readonly: true });
    const count = (db.prepare("select count(*) as n from token_ledger_events").get() as { n: number }).n;
    expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
    db.close();
    expect(count).toBeGreaterThan(0);
    expect(count % BATCH).toBe(0);

    const storage = sqliteStorage({ path });
    await storage.init();
    for (const p of PROJECTIONS) {
      storage.forceProjection = p.table;
      const totals = (await storage.rollup({ since: new Date(0) })).totals;
      expect(storage.lastRollupSource).toBe("rollup");
      expect(totals.events, p.table).toBe(count); // every projection committed with its rows, never apart
    }
    await storage.close();
  }, 60_000);
});
