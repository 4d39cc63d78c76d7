import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { runNode, type ChildResult } from "../helpers/cli.js";
import { pgTestUrl } from "../helpers/pg.js";

const CHILD = fileURLToPath(new URL("./fixtures/exit-child.ts", import.meta.url));

/** `ms`: from spawn to exit. */
async function runChild(
  mode: string,
  target: string,
  count = 5,
  signal?: NodeJS.Signals,
  run = "r",
): Promise<ChildResult & { ms: number }> {
  const t0 = performance.now();
  let signalled = false; // once: a second SIGTERM would cut short a handler that is shutting down
  const out = await runNode(["--import", "tsx", CHILD, mode, target, String(count), run], {
    onStdout: (soFar, child) => {
      if (!signal || signalled || !soFar.includes("ready")) return;
      signalled = true;
      child.kill(signal);
    },
  });
  return { ...out, ms: out.exitedAt - t0 };
}

function sqliteRows(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare("select count(*) as n from token_ledger_events").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

const tmp = () => join(mkdtempSync(join(tmpdir(), "tl-exit-")), "ledger.db");

// Child startup through tsx costs ~1 s on a loaded 2-core machine; the bound below is about not waiting
// for the 60 s flush interval, not about startup speed.
describe("P09/P19 with SQLite: exit behaviour", () => {
  it("event loop drains: the process exits promptly and every row is stored (beforeExit flush)", async () => {
    const db = tmp();
    const r = await runChild("drain", db);
    expect(r.code).toBe(0);
    expect(r.ms).toBeLessThan(15_000);
    expect(sqliteRows(db)).toBe(5);
  });

  it("autoFlushOnExit: false still exits promptly (timers are unref'd)", async () => {
    const db = tmp();
    const r = await runChild("no-autoflush", db);
    expect(r.code).toBe(0);
    expect(r.ms).toBeLessThan(15_000);
  });

  it("process.exit(0): rows written synchronously on exit, exit code unchanged", async () => {
    const db = tmp();
    const r = await runChild("exit", db, 500);
    expect(r.code).toBe(0);
    expect(sqliteRows(db)).toBe(500);
  });

  it("uncaught exception: rows written on exit, the host's exit code kept", async () => {
    const db = tmp();
    const r = await runChild("throw", db, 50);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("fatal error in the host");
    expect(sqliteRows(db)).toBe(50);
  });

  it("SIGTERM with handleSignals: rows stored, default signal exit kept", async () => {
    const db = tmp();
    const r = await runChild("sigterm-handled", db, 20, "SIGTERM");
    expect(r.signal).toBe("SIGTERM");
    expect(sqliteRows(db)).toBe(20);
  });

  it("SIGTERM without handleSignals: the process still exits at once (no handler installed)", async () => {
    const db = tmp();
    const r = await runChild("sigterm", db, 20, "SIGTERM");
    expect(r.signal).toBe("SIGTERM");
    const depth = Number(/queue_depth=(\d+)/.exec(r.stderr)?.[1]);
    expect(sqliteRows(db)).toBeGreaterThanOrEqual(20 - depth);
  });

  it("SIGKILL: loss bounded by the queue depth reported before the kill (P14)", async () => {
    const db = tmp();
    const r = await runChild("sigterm", db, 30, "SIGKILL");
    expect(r.signal).toBe("SIGKILL");
    const depth = Number(/queue_depth=(\d+)/.exec(r.stderr)?.[1]);
    expect(depth).toBeLessThanOrEqual(30);
    expect(30 - sqliteRows(db)).toBeLessThanOrEqual(depth);
  });
});

const pg = pgTestUrl();
describe.skipIf(!pg)("P19 with PostgreSQL: exit behaviour", () => {
  it("event loop drains: all rows", async () => {
    const url = pg as string;
    const run = `run-${process.pid}-${Date.now()}`;
    const r = await runChild("drain", url, 7, undefined, run);
    expect(r.code).toBe(0);
    expect(r.ms).toBeLessThan(15_000); // idle pool connections must not hold the process open
    const { default: pgmod } = await import("pg");
    const client = new pgmod.Client({ connectionString: url });
    await client.connect();
    try {
      const res = await client.query(
        "select count(*)::int as n from token_ledger_events where metadata->>'run' = $1",
        [run],
      );
      expect(res.rows[0].n).toBe(7);
    } finally {
      await client.end();
    }
  });
});
