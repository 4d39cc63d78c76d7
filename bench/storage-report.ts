// Grouped 30-day reports over a SQLite and a PostgreSQL ledger: the rollup projection the planner picks vs the
// full-key hourly table (the only rollup before 0004_rollup_projections) vs a raw GROUP BY scan of the events, all
// on the same ledger in the same run, at several ledger sizes (the scaling curve), with the bytes per event on disk.
// Seeding runs inside the database (recursive CTE / generate_series) and then fills the projections the way the
// adapters do (SQLite: one aggregated insert per projection, as migration 0004's backfill; PostgreSQL: its statement
// triggers), so it takes seconds. A check fails the run when the paths disagree or a path misses events.
// Sizes: BENCH_REPORT_SIZES=100000,1000000 (default; 10M added with BENCH_FULL=1; quick mode: 20000).
// Run: node --import tsx bench/storage-report.ts
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import type { RollupQuery } from "tokenledger";
import { postgresStorage } from "tokenledger/postgres";
import { sqliteStorage } from "tokenledger/sqlite";
import type { KyselyStorage } from "../adapters/_kysely/kysely-storage.js";
import { PROJECTIONS } from "../adapters/_kysely/projections.js";
import { sqliteProjectionBackfillSql } from "../adapters/sqlite/sqlite-projection-sql.js";
import { PG_URL, printTable, timeIt } from "./storage-bench-util.js";
import { QUICK, check, median } from "./util.js";

const SIZES = (
  process.env.BENCH_REPORT_SIZES ??
  (QUICK ? "20000" : process.env.BENCH_FULL === "1" ? "100000,1000000,10000000" : "100000,1000000")
)
  .split(",")
  .map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n <= 0)
      throw new Error(`BENCH_REPORT_SIZES: "${s}" is not a positive integer`);
    return n;
  });
const RUNS = Number(process.env.BENCH_RUNS ?? (QUICK ? 3 : 5));
const END = Date.UTC(2026, 10, 22);
const START = END - 30 * 86_400_000;
const QUERIES: Record<string, RollupQuery> = {
  "day × model": { since: new Date(START), until: new Date(END), bucket: "day", groupBy: ["model"] },
  "by user (top 20)": { since: new Date(START), until: new Date(END), groupBy: ["user"], limit: 20 },
  "day, where team=team-3": {
    since: new Date(START),
    until: new Date(END),
    bucket: "day",
    where: { team: ["team-3"] },
  },
};
const rows: Record<string, string | number>[] = [];
const sizes: Record<string, string | number>[] = [];

async function measure(backend: string, n: number, s: KyselyStorage): Promise<void> {
  for (const [name, q] of Object.entries(QUERIES)) {
    const ms: Record<string, number> = {};
    const totals = new Map<string, string>();
    let picked = "";
    const paths = [
      ["rollup", null, false],
      ["full-key hourly", "token_ledger_hourly", false],
      ["scan", null, true],
    ] as const;
    for (const [path, force, scan] of paths) {
      s.forceScan = scan;
      s.forceProjection = force;
      const times: number[] = [];
      for (let r = 0; r < RUNS; r++)
        times.push(
          await timeIt(async () => {
            const result = await s.rollup(q);
            totals.set(path, `${result.totals.costUsd} over ${result.totals.events} events`);
          }),
        );
      ms[path] = median(times);
      if (path === "rollup") picked = s.lastProjection ?? "(events)";
    }
    s.forceScan = false;
    s.forceProjection = null;
    const distinct = new Set(totals.values());
    check(distinct.size === 1, `${backend} ${n} "${name}": paths disagree: ${[...totals].join(" / ")}`);
    if (!q.where)
      check(
        totals.get("scan")!.endsWith(` ${n} events`),
        `${backend} "${name}": ${totals.get("scan")}, expected ${n} events`,
      );
    rows.push({
      backend,
      events: n,
      report: name,
      projection: picked,
      "rollup ms": ms.rollup!.toFixed(1),
      "full-key hourly ms": ms["full-key hourly"]!.toFixed(1),
      "scan ms (baseline)": ms.scan!.toFixed(1),
      "scan/rollup": (ms.scan! / ms.rollup!).toFixed(1),
    });
  }
}

const sqliteSeed = (n: number) => {
  const step = Math.floor((END - START) / n);
  return `WITH RECURSIVE g(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM g WHERE i < ${n - 1})
  INSERT INTO token_ledger_events (id, ts, provider, model, operation, status, usage_source, uncached_input_tokens,
    cache_read_tokens, output_tokens, cost_pico, user_id, team_id, feature, environment, latency_ms, request_id)
  SELECT printf('%08x-0000-7000-8000-%012x', i, i), ${START} + i * ${step}, CASE i % 3 WHEN 0 THEN 'anthropic' ELSE 'openai' END,
    'model-' || (i % 6), 'chat', CASE WHEN i % 50 = 0 THEN 'error' ELSE 'ok' END, 'provider', 500 + i % 300, i % 200,
    100 + i % 400, 100375000 + (i % 997) * 1000, 'user-' || (i % 500), 'team-' || (i % 20), 'chat', 'prod', 200 + i % 1000,
    'req_' || i FROM g`;
};

async function sqlite(n: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "tl-bench-report-"));
  try {
    const path = join(dir, "ledger.db");
    const s = sqliteStorage({ path });
    await s.init();
    const raw = new Database(path);
    const seed = await timeIt(() => {
      raw.exec("BEGIN IMMEDIATE");
      raw.exec(sqliteSeed(n));
      // What the adapter's per-batch upserts leave behind, in one pass (migration 0004's backfill).
      for (const p of PROJECTIONS) raw.exec(sqliteProjectionBackfillSql(p));
      raw.exec("COMMIT");
      raw.exec("ANALYZE");
    });
    const counts = PROJECTIONS.map(
      (p) => `${p.table} ${(raw.prepare(`select count(*) as n from ${p.table}`).get() as { n: number }).n}`,
    );
    raw.pragma("wal_checkpoint(TRUNCATE)");
    raw.close();
    const bytes = statSync(path).size;
    console.log(`sqlite ${n}: seeded in ${(seed / 1000).toFixed(1)} s; rows: ${counts.join(", ")}`);
    sizes.push({
      backend: "sqlite",
      events: n,
      "MB on disk": (bytes / 1e6).toFixed(1),
      "bytes/event": Math.round(bytes / n),
    });
    try {
      await measure("sqlite", n, s);
    } finally {
      await s.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgres(n: number): Promise<void> {
  const schema = `tl_bench_report_${process.pid}`;
  const client = new pg.Client(PG_URL);
  await client.connect();
  const s = postgresStorage({ connectionString: PG_URL, schema, statementTimeoutMs: 600_000 });
  try {
    await s.init();
    const step = Math.floor((END - START) / n);
    const seed = await timeIt(async () => {
      // The adapter's statement triggers fill the projections from this one insert.
      await client.query(`INSERT INTO ${schema}.token_ledger_events (id, ts, provider, model, operation, status, usage_source,
      uncached_input_tokens, cache_read_tokens, output_tokens, cost_usd, user_id, team_id, feature, environment, latency_ms, request_id)
      SELECT (lpad(to_hex(i), 8, '0') || '-0000-7000-8000-' || lpad(to_hex(i), 12, '0'))::uuid,
        to_timestamp((${START} + i::bigint * ${step}) / 1000.0), CASE i % 3 WHEN 0 THEN 'anthropic' ELSE 'openai' END,
        'model-' || (i % 6), 'chat', CASE WHEN i % 50 = 0 THEN 'error' ELSE 'ok' END, 'provider', 500 + i % 300, i % 200,
        100 + i % 400, (100375000 + (i % 997) * 1000) / 1e12, 'user-' || (i % 500), 'team-' || (i % 20), 'chat', 'prod', 200 + i % 1000,
        'req_' || i
      FROM generate_series(0, ${n - 1}) AS i`);
      await client.query(`VACUUM ANALYZE ${schema}.token_ledger_events`);
      for (const p of PROJECTIONS) await client.query(`VACUUM ANALYZE ${schema}.${p.table}`);
    });
    const size = await client.query<{ b: string }>(
      `SELECT sum(pg_total_relation_size(c.oid))::text AS b FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
       WHERE ns.nspname = $1 AND c.relkind IN ('r', 'm')`,
      [schema],
    );
    const bytes = Number(size.rows[0]?.b ?? 0);
    console.log(`postgres ${n}: seeded in ${(seed / 1000).toFixed(1)} s`);
    sizes.push({
      backend: "postgres",
      events: n,
      "MB on disk": (bytes / 1e6).toFixed(1),
      "bytes/event": Math.round(bytes / n),
    });
    await measure("postgres", n, s);
  } finally {
    await s.close();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  }
}

for (const n of SIZES) {
  await sqlite(n);
  await postgres(n);
}
printTable(
  `30-day grouped reports, median of ${RUNS} runs (baseline: raw GROUP BY scan of the same ledger)`,
  rows,
);
printTable("Ledger size (tables and indexes, rollups included)", sizes);
