/**
 * `tokenledger prices reprice` on a stored ledger: every event carries a stale cost, so all of them are priced
 * again and rewritten (events and every rollup projection, one transaction). Per backend (SQLite file, and
 * PostgreSQL when reachable): the write pass, then a second pass that finds nothing to change, and a dry run.
 * Baseline from the same run: inserting the same events into an empty ledger (`insertBatch`).
 * Cross-check: after the write, the rollup total equals an exact sum over the stored events.
 * Size: BENCH_REPRICE_EVENTS (default 100k; 2k with BENCH_QUICK=1).
 *   node --import tsx bench/reprice.ts
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { StorageAdapter } from "tokenledger";
import { postgresStorage } from "tokenledger/postgres";
import { sqliteStorage } from "tokenledger/sqlite";
import { Dec, ZERO } from "../src/pricing/decimal.js";
import { createPricer } from "../src/pricing/index.js";
import { applyReprice } from "../src/pricing/reprice-apply.js";
import { PG_URL, makeEvents, timeIt } from "./storage-bench-util.js";
import { check, printTable, size } from "./util.js";

const N = size("BENCH_REPRICE_EVENTS", 100_000, 2_000);
const pricer = createPricer({ litellmCachePath: false });

async function rawTotal(s: StorageAdapter): Promise<Dec> {
  let t = ZERO;
  for await (const e of s.events({ pageSize: 5000 })) if (e.costUsd !== null) t = t.plus(e.costUsd);
  return t;
}

async function measure(name: string, s: StorageAdapter): Promise<string[]> {
  await s.init();
  const events = makeEvents(N);
  const insertMs = await timeIt(() => s.insertBatch(events));
  let written = 0;
  const dryMs = await timeIt(async () => {
    written = (await applyReprice(s, pricer, { dryRun: true })).written;
  });
  check(written === 0, `${name}: the dry run wrote ${written}`);
  let changed = 0;
  const writeMs = await timeIt(async () => {
    const r = await applyReprice(s, pricer);
    changed = r.written;
  });
  check(changed > N * 0.9, `${name}: only ${changed} of ${N} events rewritten`);
  let again = -1;
  const secondMs = await timeIt(async () => {
    again = (await applyReprice(s, pricer)).written;
  });
  check(again === 0, `${name}: the second run rewrote ${again} events`);
  const rollup = new Dec((await s.rollup({})).totals.costUsd);
  const raw = await rawTotal(s);
  check(rollup.equals(raw), `${name}: rollup total ${rollup.toFixed()} ≠ raw sum ${raw.toFixed()}`);
  const ratio = (ms: number) => (ms / insertMs).toFixed(2);
  return [
    name,
    String(changed),
    Math.round(insertMs).toString(),
    `${Math.round(writeMs)} (${ratio(writeMs)}×)`,
    `${Math.round(secondMs)} (${ratio(secondMs)}×)`,
    `${Math.round(dryMs)} (${ratio(dryMs)}×)`,
  ];
}

const rows: string[][] = [];
const dir = mkdtempSync(join(tmpdir(), "tl-bench-reprice-"));
try {
  const s = sqliteStorage({ path: join(dir, "ledger.db") });
  try {
    rows.push(await measure("sqlite", s));
  } finally {
    await s.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const client = new pg.Client(PG_URL);
const reachable = await client.connect().then(
  () => true,
  () => false,
);
if (reachable) {
  const schema = `tl_bench_reprice_${process.pid}`;
  const s = postgresStorage({ connectionString: PG_URL, schema });
  try {
    rows.push(await measure("postgres", s));
  } finally {
    await s.close();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  }
} else process.stdout.write(`postgres at ${PG_URL} not reachable: skipped\n`);

printTable(
  `prices reprice over ${N} stored events (ms; ratio vs inserting the same events)`,
  ["backend", "rewritten", "insert (baseline)", "reprice write", "second run (no-op)", "dry run"],
  rows,
);
