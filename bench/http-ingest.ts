// Remote ingest (tokenledger/http) against direct storage, same events, same run, rounds interleaved.
// Cases, each on a fresh SQLite ledger, batches of BENCH_BATCH events (default 100, the tracker's maxBatchSize):
//   direct   sqliteStorage.insertBatch (baseline: what the SDK does without a server);
//   http     httpStorage.insertBatch -> POST /api/v1/usage -> the server's SQLite insert (server in this process);
//   spool    httpStorage.insertBatch with the server down: every batch written and fsync'd to the spool.
// The server is the real `tokenledger serve` app (createServer, test/helpers/ledger-test-server.ts) in this process.
// Sizes: BENCH_EVENTS (default 20,000; quick 2,000), BENCH_RUNS (default 5; quick 2), BENCH_BATCH (100).
// Run: node --import tsx bench/http-ingest.ts
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LedgerEvent, StorageAdapter } from "tokenledger";
import { httpStorage } from "tokenledger/http";
import { sqliteStorage } from "tokenledger/sqlite";
import { startTestLedgerServer } from "../test/helpers/ledger-test-server.js";
import { makeEvents, timeIt } from "./storage-bench-util.js";
import { check, median, printTable, size } from "./util.js";

const N = size("BENCH_EVENTS", 20_000, 2_000);
const RUNS = size("BENCH_RUNS", 5, 2);
const BATCH = size("BENCH_BATCH", 100, 100);
const dir = mkdtempSync(join(tmpdir(), "tl-bench-http-"));
let seq = 0;

async function inBatches(storage: StorageAdapter, events: readonly LedgerEvent[]): Promise<number> {
  return timeIt(async () => {
    for (let i = 0; i < events.length; i += BATCH) await storage.insertBatch(events.slice(i, i + BATCH));
  });
}

async function freshLedger() {
  const ledger = sqliteStorage({ path: join(dir, `ledger-${++seq}.db`) });
  await ledger.init();
  return ledger;
}

const CASES: Record<string, (events: readonly LedgerEvent[]) => Promise<number>> = {
  direct: async (events) => {
    const ledger = await freshLedger();
    const ms = await inBatches(ledger, events);
    check(
      (await ledger.rollup({ since: new Date(0) })).totals.events === events.length,
      "direct: every event stored",
    );
    await ledger.close();
    return ms;
  },
  http: async (events) => {
    const ledger = await freshLedger();
    const server = await startTestLedgerServer({ storage: ledger });
    const client = httpStorage({
      url: server.url,
      apiKey: server.apiKey,
      spoolDir: join(dir, `spool-${++seq}`),
    });
    await client.init();
    const ms = await inBatches(client, events);
    check(server.counts.created === events.length, `http: server created ${server.counts.created}`);
    check(client.stats().spooledEvents === 0, "http: nothing spooled while the server was up");
    await client.close();
    await server.close();
    await ledger.close();
    return ms;
  },
  spool: async (events) => {
    const ledger = await freshLedger();
    const server = await startTestLedgerServer({ storage: ledger });
    await server.stop();
    const client = httpStorage({
      url: server.url,
      apiKey: server.apiKey,
      spoolDir: join(dir, `spool-${++seq}`),
      logger: false,
      retry: { baseMs: 60_000, maxMs: 60_000 }, // no replay during the timed part
    });
    await client.init();
    const ms = await inBatches(client, events);
    check(client.stats().spooledEvents === events.length, "spool: every batch spooled");
    await client.close();
    await ledger.close();
    return ms;
  },
};

const times: Record<string, number[]> = Object.fromEntries(Object.keys(CASES).map((k) => [k, []]));
const names = Object.keys(CASES);
try {
  for (let round = 0; round < RUNS; round++) {
    const events = makeEvents(N);
    // Rotate the order each round so drift and warm-up hit every case alike.
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length] as string;
      times[name]!.push(await CASES[name]!(events));
    }
  }
  const rate = (ms: number) => (N / ms) * 1000;
  const base = rate(median(times.direct!));
  printTable(
    `remote ingest, ${N} events in batches of ${BATCH}, median of ${RUNS} (SQLite ledger; server in-process)`,
    ["case", "events/s", "vs direct", "runs ms"],
    names.map((name) => {
      const r = rate(median(times[name]!));
      return [
        name,
        Math.round(r).toLocaleString("en-US"),
        `${(r / base).toFixed(2)}x`,
        times[name]!.map((t) => t.toFixed(0)).join(" "),
      ];
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
