// GET /api/v1/costs/aggregate over 30 days of N events, on SQLite and PostgreSQL, through real HTTP (keep-alive
// fetch to 127.0.0.1), against a same-run baseline: storage.rollup() called directly with the same query. The
// difference is the API's own cost (auth lookup, validation, scope, JSON). Target (issue 15): p95 < 100 ms at 1M.
// A cross-check fails the run when the API's totals differ from the direct rollup's.
// Sizes: BENCH_SERVE_EVENTS (default 1000000; quick 20000), BENCH_SERVE_RUNS (default 50; quick 15).
// Run: node --import tsx bench/serve-aggregate.ts
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RollupQuery } from "tokenledger";
import { postgresStorage } from "tokenledger/postgres";
import { sqliteStorage } from "tokenledger/sqlite";
import { asServerStorage, type ServerStorage } from "../src/server/ports.js";
import { benchServer, ms, percentile } from "./serve-bench-util.js";
import { PG_URL, makeEvents } from "./storage-bench-util.js";
import { check, median, printTable, size } from "./util.js";

const N = size("BENCH_SERVE_EVENTS", 1_000_000, 20_000);
const RUNS = size("BENCH_SERVE_RUNS", 50, 15);
const END = Date.UTC(2026, 10, 22);
const FROM = new Date(END - 30 * 86_400_000);
const TO = new Date(END);
const range = `from=${FROM.toISOString()}&to=${TO.toISOString()}`;

const QUERIES: readonly { name: string; qs: string; q: RollupQuery }[] = [
  {
    name: "30 d, day × model",
    qs: `${range}&granularity=day&group_by=model`,
    q: { bucket: "day", groupBy: ["model"] },
  },
  { name: "30 d, by team", qs: `${range}&group_by=team`, q: { groupBy: ["team"] } },
  {
    name: "30 d, day, team=team-3",
    qs: `${range}&granularity=day&team=team-3`,
    q: { bucket: "day", where: { team: ["team-3"] } },
  },
];

async function seed(s: ServerStorage): Promise<void> {
  const BATCH = 5000;
  for (let i = 0; i < N; i += BATCH) {
    const events = makeEvents(Math.min(BATCH, N - i), 30, END);
    await s.insertBatch(events);
  }
}

const rows: string[][] = [];

async function measure(backend: string, s: ServerStorage): Promise<void> {
  const { app, url, token } = await benchServer(s);
  const headers = { authorization: `Bearer ${token}` };
  try {
    for (const { name, qs, q } of QUERIES) {
      const query: RollupQuery = { ...q, since: FROM, until: TO };
      const api: number[] = [];
      const direct: number[] = [];
      const injected: number[] = [];
      let apiTotals = "";
      let directTotals = "";
      for (let r = 0; r < RUNS + 2; r++) {
        // Alternate which path goes first, so both see the same cache state and machine load.
        const viaApi = async () => {
          const t = performance.now();
          const res = await fetch(`${url}/api/v1/costs/aggregate?${qs}`, { headers });
          const body = (await res.json()) as { totals: unknown };
          check(res.status === 200, `${backend} ${name}: HTTP ${res.status}`);
          return { ms: performance.now() - t, totals: JSON.stringify(body.totals) };
        };
        const viaRollup = async () => {
          const t = performance.now();
          const d = await s.rollup(query);
          return { ms: performance.now() - t, totals: JSON.stringify(d.totals) };
        };
        const viaInject = async () => {
          const t = performance.now();
          const res = await app.inject({ method: "GET", url: `/api/v1/costs/aggregate?${qs}`, headers });
          check(res.statusCode === 200, `${backend} ${name}: inject ${res.statusCode}`);
          return performance.now() - t;
        };
        let a;
        let d;
        let i;
        if (r % 2 === 0) {
          a = await viaApi();
          i = await viaInject();
          d = await viaRollup();
        } else {
          d = await viaRollup();
          i = await viaInject();
          a = await viaApi();
        }
        if (r >= 2) injected.push(i);
        const apiMs = a.ms;
        const directMs = d.ms;
        if (r < 2) continue; // warm-up
        api.push(apiMs);
        direct.push(directMs);
        apiTotals = a.totals;
        directTotals = d.totals;
      }
      check(
        apiTotals === directTotals,
        `${backend} ${name}: API totals ${apiTotals} != rollup ${directTotals}`,
      );
      rows.push([
        backend,
        name,
        ms(median(api)),
        ms(percentile(api, 0.95)),
        ms(median(injected)),
        ms(median(direct)),
        ms(percentile(direct, 0.95)),
        `${(median(api) - median(direct)).toFixed(2)}`,
      ]);
    }
  } finally {
    await app.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), "tl-serve-agg-"));
const schema = `tl_bench_serve_${process.pid}`;
try {
  const lite = asServerStorage(sqliteStorage({ path: join(dir, "ledger.db") }))!;
  await lite.init();
  let t = performance.now();
  await seed(lite);
  process.stdout.write(`sqlite: seeded ${N} events in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
  await measure("sqlite", lite); // closes the storage with the app

  const pgs = asServerStorage(postgresStorage({ connectionString: PG_URL, schema }))!;
  await pgs.init();
  t = performance.now();
  await seed(pgs);
  process.stdout.write(`postgres: seeded ${N} events in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
  await measure("postgres", pgs);
} finally {
  rmSync(dir, { recursive: true, force: true });
  const { default: pg } = await import("pg");
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  await c.query(`drop schema if exists "${schema}" cascade`);
  await c.end();
}

printTable(
  `GET /api/v1/costs/aggregate over ${N} events (${RUNS} runs each; ms; baseline: storage.rollup() direct, same run)`,
  [
    "backend",
    "query",
    "API p50",
    "API p95",
    "handler p50 (inject, no socket)",
    "direct p50",
    "direct p95",
    "API overhead p50",
  ],
  rows,
);
