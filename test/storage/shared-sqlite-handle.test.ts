import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { TokenTracker } from "tokenledger";
import { sqliteStorage } from "tokenledger/sqlite";

describe("a better-sqlite3 handle shared with the host", () => {
  it("never joins or rolls back the host's open transaction; events land after it commits", async () => {
    const db = new Database(join(mkdtempSync(join(tmpdir(), "tl-shared-")), "app.db"));
    db.exec("create table orders (id integer primary key, total text)");
    const tracker = new TokenTracker({
      storage: sqliteStorage({ database: db }),
      retry: { baseMs: 20, maxMs: 40 },
      logger: false,
      autoFlushOnExit: false,
    });
    await tracker.storage();

    db.exec("BEGIN");
    db.prepare("insert into orders (total) values (?)").run("12.50");
    tracker.record({
      provider: "openai",
      model: "gpt-4o-mini",
      usage: { uncachedInputTokens: 10, outputTokens: 1 },
    });
    const during = await tracker.flush({ timeoutMs: 150 });
    expect(during.timedOut).toBe(true); // waiting for the host, not writing inside its transaction
    expect(db.inTransaction).toBe(true); // the host's transaction is still open and intact
    db.exec("COMMIT");

    const after = await tracker.flush({ timeoutMs: 2000 });
    expect(after.timedOut).toBe(false);
    expect((db.prepare("select count(*) n from orders").get() as { n: number }).n).toBe(1);
    expect((db.prepare("select count(*) n from token_ledger_events").get() as { n: number }).n).toBe(1);
    await tracker.shutdown();
    expect(db.open).toBe(true); // a handle the host passed in stays open
    db.close();
  });
});
