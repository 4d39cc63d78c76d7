import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { TokenTracker } from "tokenledger";
import { sqliteStorage } from "tokenledger/sqlite";

// P03: while another process holds the SQLite write lock, the host's event loop keeps running: the adapter
// waits at most its short busy timeout, then retries asynchronously.
describe("P03: no long busy-wait on the host's event loop", () => {
  it("keeps event-loop delay low while another process holds BEGIN IMMEDIATE for 1.5 s", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "tl-p03-")), "ledger.db");
    const tracker = new TokenTracker({
      storage: sqliteStorage({ path }),
      retry: { baseMs: 50, maxMs: 200 },
      logger: false,
      autoFlushOnExit: false,
    });
    await tracker.storage(); // schema in place before the other process locks the file

    const holder = spawn(
      process.execPath,
      [
        "-e",
        `const db = require("better-sqlite3")(${JSON.stringify(path)}, { timeout: 5000 });
         db.exec("BEGIN IMMEDIATE"); process.stdout.write("locked\\n");
         setTimeout(() => { db.exec("COMMIT"); db.close(); }, 1500);`,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    const exited = new Promise((res) => holder.on("exit", res));
    await new Promise<void>((resolve) =>
      holder.stdout.on("data", (d: Buffer) => d.toString().includes("locked") && resolve()),
    );

    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    for (let i = 0; i < 200; i++)
      tracker.record({
        provider: "openai",
        model: "gpt-4o-mini",
        usage: { uncachedInputTokens: 10, outputTokens: 1 },
      });
    const r = await tracker.flush({ timeoutMs: 10_000 });
    delay.disable();
    await exited;

    expect(r.timedOut).toBe(false);
    expect(tracker.stats().retries.transient).toBeGreaterThan(0); // it did meet the lock
    // A 5 s busy timeout on the main thread would stall ~1500 ms here; the adapter's is at most 50 ms.
    expect(delay.max / 1e6).toBeLessThan(250);
    await tracker.shutdown();
    const db = new Database(path, { readonly: true });
    expect((db.prepare("select count(*) n from token_ledger_events").get() as { n: number }).n).toBe(200);
    db.close();
  });
});
