// Child for P21: `immediate` writes through the adapter (BEGIN IMMEDIATE, async retry on transient errors);
// `deferred` is the negative control: raw better-sqlite3 with a bare BEGIN that reads, then writes, no retry.
import { createRequire } from "node:module";
import type BetterSqlite3 from "better-sqlite3";
import { StorageError } from "tokenledger";
import { sqliteStorage } from "tokenledger/sqlite";
import { ledgerEvent } from "../../contract/ledger-events.js";

// Bundled into a temp dir by the test: CommonJS require honours NODE_PATH, ESM imports would not.
const Database = createRequire(import.meta.url)("better-sqlite3") as typeof BetterSqlite3;
const [path, mode, txArg, rowsArg, startAtArg] = process.argv.slice(2);
const txCount = Number(txArg);
const rows = Number(rowsArg);
const startAt = Number(startAtArg);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const makeBatch = (t: number) =>
  Array.from({ length: rows }, (_, i) => ledgerEvent({ at: Date.UTC(2026, 10, 1) + t * 100 + i }));

let committed = 0;
let busyRetries = 0;
let unrecovered = 0;

if (mode === "immediate") {
  const storage = sqliteStorage({ path: path! });
  await storage.init();
  await sleep(Math.max(0, startAt - Date.now()));
  for (let t = 0; t < txCount; t++) {
    const batch = makeBatch(t);
    for (let attempt = 0; ; attempt++) {
      try {
        await storage.insertBatch(batch);
        committed++;
        break;
      } catch (err) {
        if (err instanceof StorageError && err.kind === "transient" && attempt < 200) {
          busyRetries++;
          await sleep(Math.min(100, 2 ** Math.min(attempt, 6)) * (0.5 + Math.random()));
          continue;
        }
        unrecovered++;
        break;
      }
    }
  }
  await storage.close();
} else {
  const db = new Database(path!, { timeout: 5000 });
  db.pragma("journal_mode = WAL");
  db.exec("CREATE TABLE IF NOT EXISTS budget (id INTEGER PRIMARY KEY, spent INTEGER NOT NULL)");
  db.exec("INSERT OR IGNORE INTO budget VALUES (1, 0)");
  const insert = db.prepare(
    "INSERT INTO token_ledger_events (id, ts, provider, model, operation, status, usage_source) VALUES (?, ?, 'openai', 'gpt-4o', 'chat', 'ok', 'provider')",
  );
  const read = db.prepare("SELECT spent FROM budget WHERE id = 1");
  const bump = db.prepare("UPDATE budget SET spent = spent + ? WHERE id = 1");
  await sleep(Math.max(0, startAt - Date.now()));
  for (let t = 0; t < txCount; t++) {
    try {
      db.exec("BEGIN"); // deferred: the read takes a snapshot that the later write cannot upgrade
      read.get();
      for (const e of makeBatch(t)) insert.run(e.id, e.timestamp.getTime());
      bump.run(rows);
      db.exec("COMMIT");
      committed++;
    } catch {
      unrecovered++;
      if (db.inTransaction) db.exec("ROLLBACK");
    }
  }
  db.close();
}
process.stdout.write(`${JSON.stringify({ committed, busyRetries, unrecovered })}\n`);
