// A 30-day grouped report over 1M events in SQLite and PostgreSQL: the rollup projection the planner picks vs a raw
// events scan (and vs the full-key hourly table, the only rollup before 0004_rollup_projections).
// Seeding is done inside the database (generate_series / recursive CTE), so it takes seconds.
// Run: node --import tsx bench/storage-report.ts   (BENCH_EVENTS to change the 1,000,000)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import type { RollupQuery } from "tokenledger";
import { postgresStorage } from "tokenledger/postgres";
import { sqliteStorage } from "tokenledger/sqlite";
import type { KyselyStorage } from "../adapters/_kysely/kysely-storage.js";
import { PG_URL, printTable, timeIt } from "./storage-bench-util.js";
import { median } from "./util.js";

const N = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const END = Date.UTC(2026, 10, 22);
const START = END - 30 * 86_400_000;
const STEP = Math.floor((END - START) / N);
const QUERIES: Record<string, RollupQuery> = {
  "day × model": { since: new Date(START), until: new Date(END), bucket: "day", groupBy: ["model"] },
  "by user (top 20)": { since: new Date(START), until: new Date(END), groupBy: ["user"], limit: 20 },
};
const rows: Record<string, string | number>[] = [];

async function measure(backend: string, s: KyselyStorage): Promise<void> {
  for (const [name, q] of Object.entries(QUERIES)) {
    const ms: Record<string, number> = {};
    const totals = new Set<string>();
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
        times.push(await timeIt(async () => void totals.add((await s.rollup(q)).totals.costUsd)));
      ms[path] = median(times);
      if (path === "rollup") picked = s.lastProjection ?? "(events)";
    }
    s.forceScan = false;
    s.forceProjection = null;
    if (totals.size !== 1) throw new Error(`paths disagree: ${[...totals].join(" / ")}`);
    rows.push({
      backend,
      report: name,
      projection: picked,
      "rollup ms": ms.rollup!.toFixed(1),
      "full-key hourly ms": ms["full-key hourly"]!.toFixed(0),
      "scan ms": ms.scan!.toFixed(0),
      "scan/rollup": (ms.scan! / ms.rollup!).toFixed(0),
      "total cost": [...totals][0]!,
    });
  }
}

const SQLITE_SEED = `WITH RECURSIVE g(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM g WHERE i < ${N - 1})
  INSERT INTO token_ledger_events (id, ts, provider, model, operation, status, usage_source, uncached_input_tokens,
    cache_read_tokens, output_tokens, cost_pico, user_id, team_id, feature, environment, latency_ms)
  SELECT printf('%08x-0000-7000-8000-%012x', i, i), ${START} + i * ${STEP}, CASE i % 3 WHEN 0 THEN 'anthropic' ELSE 'openai' END,
    'model-' || (i % 6), 'chat', CASE WHEN i % 50 = 0 THEN 'error' ELSE 'ok' END, 'provider', 500 + i % 300, i % 200,
    100 + i % 400, 100375000 + (i % 997) * 1000, 'user-' || (i % 500), 'team-' || (i % 20), 'chat', 'prod', 200 + i % 1000 FROM g`;

const dir = mkdtempSync(join(tmpdir(), "tl-bench-report-"));
{
  const path = join(dir, "ledger.db");
  const s = sqliteStorage({ path });
  await s.init();
  const raw = new Database(path);
  const seed = await timeIt(() => void raw.exec(SQLITE_SEED));
  raw.close();
  console.log(
    `sqlite: seeded ${N} events (4 trigger-maintained projections) in ${(seed / 1000).toFixed(1)} s`,
  );
  const sizes = new Database(path, { readonly: true });
  for (const t of [
    "token_ledger_hourly",
    "token_ledger_hourly_model",
    "token_ledger_daily",
    "token_ledger_daily_user",
  ]) {
    console.log(`  ${t}: ${(sizes.prepare(`select count(*) as n from ${t}`).get() as { n: number }).n} rows`);
  }
  sizes.close();
  await measure("sqlite", s);
  await s.close();
}
rmSync(dir, { recursive: true, force: true });

try {
  const schema = `tl_bench_report_${process.pid}`;
  const s = postgresStorage({ connectionString: PG_URL, schema, statementTimeoutMs: 600_000 });
  await s.init();
  const client = new pg.Client(PG_URL);
  await client.connect();
  const seed = await timeIt(async () => {
    await client.query(`INSERT INTO ${schema}.token_ledger_events (id, ts, provider, model, operation, status, usage_source,
      uncached_input_tokens, cache_read_tokens, output_tokens, cost_usd, user_id, team_id, feature, environment, latency_ms)
      SELECT (lpad(to_hex(i), 8, '0') || '-0000-7000-8000-' || lpad(to_hex(i), 12, '0'))::uuid,
        to_timestamp((${START} + i::bigint * ${STEP}) / 1000.0), CASE i % 3 WHEN 0 THEN 'anthropic' ELSE 'openai' END,
        'model-' || (i % 6), 'chat', CASE WHEN i % 50 = 0 THEN 'error' ELSE 'ok' END, 'provider', 500 + i % 300, i % 200,
        100 + i % 400, (100375000 + (i % 997) * 1000) / 1e12, 'user-' || (i % 500), 'team-' || (i % 20), 'chat', 'prod', 200 + i % 1000
      FROM generate_series(0, ${N - 1}) AS i`);
    await client.query(`ANALYZE ${schema}.token_ledger_events; ANALYZE ${schema}.token_ledger_hourly;
      ANALYZE ${schema}.token_ledger_hourly_model; ANALYZE ${schema}.token_ledger_daily; ANALYZE ${schema}.token_ledger_daily_user`);
  });
  console.log(`postgres: seeded ${N} events (4 statement triggers) in ${(seed / 1000).toFixed(1)} s`);
  await measure("postgres", s);
  await s.close();
  await client.query(`DROP SCHEMA ${schema} CASCADE`);
  await client.end();
} catch (err) {
  console.error(`postgres skipped: ${(err as Error).message}`);
}
printTable(`30-day grouped reports over ${N} events, median of ${RUNS} runs`, rows);
