// Child for P13: writes 1000-row batches through the SQLite adapter until killed.
import { sqliteStorage } from "tokenledger/sqlite";
import { ledgerEvent } from "../../contract/ledger-events.js";

const [path, batchArg] = process.argv.slice(2);
const batchSize = Number(batchArg ?? 1000);
const storage = sqliteStorage({ path: path! });
await storage.init();
process.stdout.write("ready\n");
for (let n = 0; ; n++) {
  const batch = Array.from({ length: batchSize }, (_, i) =>
    ledgerEvent({ at: Date.UTC(2026, 10, 1) + n * 1000 + i, model: `m${i % 7}` }),
  );
  try {
    await storage.insertBatch(batch);
  } catch {
    await new Promise((r) => setTimeout(r, 5)); // another child holds the lock: retry like the tracker
  }
}
