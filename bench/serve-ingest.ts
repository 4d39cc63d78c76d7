// POST /api/v1/usage from 4 concurrent clients into PostgreSQL (rollups maintained by the adapter's triggers), through
// real HTTP, against a same-run baseline: 4 concurrent writers calling the adapter's multi-row insert (insertBatch,
// one INSERT … VALUES per batch) directly into the same table layout. Both write N events in batches of 500.
// The API adds validation, pricing-skip (costUsd sent), the idempotency read before and after the insert, and
// JSON over HTTP. Target (issue 15): API rate >= 0.5x the raw rate. Each client runs in its own process.
// Sizes: BENCH_SERVE_INGEST_EVENTS (default 200000; quick 8000).
// Run: node --import tsx bench/serve-ingest.ts
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import pg from "pg";
import type { LedgerEvent } from "tokenledger";
import { postgresStorage } from "tokenledger/postgres";
import { asServerStorage, type ServerStorage } from "../src/server/ports.js";
import { benchServer } from "./serve-bench-util.js";
import { PG_URL, makeEvents } from "./storage-bench-util.js";
import { check, printTable, size } from "./util.js";

const N = size("BENCH_SERVE_INGEST_EVENTS", 200_000, 8_000);
const CLIENTS = 4;
const BATCH = 500;

async function fresh(tag: string): Promise<{ s: ServerStorage; schema: string }> {
  const schema = `tl_bench_ingest_${tag}_${process.pid}`;
  const s = asServerStorage(postgresStorage({ connectionString: PG_URL, schema }))!;
  await s.init();
  return { s, schema };
}

async function dropSchemas(names: readonly string[]): Promise<void> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  for (const n of names) await c.query(`drop schema if exists "${n}" cascade`);
  await c.end();
}

/** Each client's share, cut into batches. */
function batches(events: readonly LedgerEvent[]): LedgerEvent[][][] {
  const per = Math.ceil(events.length / CLIENTS);
  return Array.from({ length: CLIENTS }, (_, c) => {
    const mine = events.slice(c * per, (c + 1) * per);
    const out: LedgerEvent[][] = [];
    for (let i = 0; i < mine.length; i += BATCH) out.push(mine.slice(i, i + BATCH));
    return out;
  });
}

async function stored(s: ServerStorage): Promise<number> {
  return (await s.rollup({})).totals.events;
}

const schemas: string[] = [];
const rows: string[][] = [];
try {
  const events = makeEvents(N);
  // Baseline: the adapter's multi-row insert, 4 writers at once.
  const raw = await fresh("raw");
  schemas.push(raw.schema);
  let t = performance.now();
  await Promise.all(
    batches(events).map(async (mine) => {
      for (const b of mine) await raw.s.insertBatch(b);
    }),
  );
  const rawS = (performance.now() - t) / 1000;
  check((await stored(raw.s)) === N, "raw: stored events != N");
  await raw.s.close();

  // The API: 4 HTTP clients, each in its own process (as separate hosts), same sizes and batches. The
  // clock starts when every client has its request bodies ready.
  const api = await fresh("api");
  schemas.push(api.schema);
  const { app, url, token } = await benchServer(api.s, "ingest");
  const per = Math.ceil(N / CLIENTS);
  const workers = Array.from({ length: CLIENTS }, (_, c) =>
    fork(
      fileURLToPath(new URL("./serve-ingest-client.ts", import.meta.url)),
      [JSON.stringify({ url, token, n: Math.min(per, N - c * per), batch: BATCH })],
      { execArgv: ["--import", "tsx"] },
    ),
  );
  await Promise.all(workers.map((w) => new Promise((r) => w.once("message", r))));
  t = performance.now();
  const created = await Promise.all(
    workers.map(
      (w) =>
        new Promise<number>((resolveCreated, reject) => {
          w.once("message", (m) => resolveCreated((m as { created: number }).created));
          w.once("error", reject);
          w.once("exit", (code) => code && reject(new Error(`client exited with ${code}`)));
          w.send("go");
        }),
    ),
  );
  const apiS = (performance.now() - t) / 1000;
  for (const w of workers) if (w.exitCode === null) w.kill();
  check(created.reduce((a, b) => a + b, 0) === N, `api: created ${created.join("+")} != ${N}`);
  check((await stored(api.s)) === N, "api: stored events != N");
  await app.close();

  const rawRate = N / rawS;
  const apiRate = N / apiS;
  rows.push([
    "raw insertBatch, 4 writers",
    N.toString(),
    rawS.toFixed(2),
    Math.round(rawRate).toString(),
    "1.00",
  ]);
  rows.push([
    "POST /api/v1/usage, 4 clients",
    N.toString(),
    apiS.toFixed(2),
    Math.round(apiRate).toString(),
    (apiRate / rawRate).toFixed(2),
  ]);
} finally {
  await dropSchemas(schemas);
}
printTable(
  `Ingest into PostgreSQL, batches of ${BATCH} (same run; ratio vs raw; target >= 0.50)`,
  ["path", "events", "seconds", "events/s", "ratio"],
  rows,
);
