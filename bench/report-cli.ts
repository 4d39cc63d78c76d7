/**
 * `tokenledger report` / `costs` latency, end to end (child process wall time, start-up included), on a large
 * SQLite ledger and the same events in a PostgreSQL database (BENCH_EVENTS, default 1,000,000; quick mode 20,000), with two baselines from the same run:
 * `node -e 0` (what any Node CLI pays to start) and a raw `GROUP BY` scan of the same ledger's events table for
 * the same daily totals (better-sqlite3 in this process, no start-up).
 * The ledger is seeded through the adapter's batch insert (which maintains the rollups the reports read); it is
 * removed afterwards unless BENCH_KEEP_LEDGER=1 (then kept in the temp dir and reused by later runs).
 * The CLI runs from the sources through tsx (adds start-up) unless BENCH_USE_DIST=1 (after `npm run build`).
 *   node --import tsx bench/report-cli.ts
 */
import { spawnSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { postgresStorage } from "tokenledger/postgres";
import { sqliteStorage } from "tokenledger/sqlite";
import { PG_URL, makeEvents } from "./storage-bench-util.js";
import { cliCommand, runChild } from "./report-cli-child.js";
import { check, median, size } from "./util.js";

const N = size("BENCH_EVENTS", 1_000_000, 20_000);
const RUNS = size("BENCH_RUNS", 5, 1);
const keep = process.env.BENCH_KEEP_LEDGER === "1";
const ledger = join(tmpdir(), `tokenledger-bench-report-${N}.db`);

if (!existsSync(ledger)) {
  const started = performance.now();
  const storage = sqliteStorage({ path: ledger });
  await storage.init();
  const chunk = Math.min(20_000, N);
  for (let done = 0; done < N; done += chunk) {
    // Each chunk covers its own slice of the last 90 days, so periods and teams are spread realistically.
    const end = Date.UTC(2026, 10, 22) - Math.floor(((N - done - chunk) / N) * 90) * 86_400_000;
    await storage.insertBatch(
      makeEvents(Math.min(chunk, N - done), Math.max(1, Math.ceil((90 * chunk) / N)), end),
    );
  }
  await storage.close();
  console.error(`seeded ${N} events in ${((performance.now() - started) / 1000).toFixed(1)} s → ${ledger}`);
}

const CASES: [string, string[]][] = [
  ["startup (--version)", ["--version"]],
  ["startup (--help)", ["--help"]],
  ["report daily", ["report", "-p", "daily", "--tz", "UTC", "--json"]],
  ["report daily Europe/Paris", ["report", "-p", "daily", "--tz", "Europe/Paris", "--json"]],
  [
    "report monthly by team,model",
    ["report", "-p", "monthly", "--group-by", "team,model", "--tz", "UTC", "--json"],
  ],
  [
    "report --where team=team-3",
    ["report", "-p", "weekly", "--where", "team=team-3", "--tz", "UTC", "--json"],
  ],
  ["report session", ["report", "-p", "session", "--json"]],
  [
    "report blocks (last 7 days)",
    ["report", "-p", "blocks", "--since", "2026-11-15", "--tz", "UTC", "--json"],
  ],
  ["costs", ["costs", "--tz", "UTC", "--json"]],
];

try {
  const env = { TOKENLEDGER_DATABASE_URL: ledger, HOME: tmpdir() };
  const rows: Record<string, string | number>[] = [];
  const push = (name: string, times: number[], rssKb: number) => {
    const row = {
      case: name,
      medianMs: Math.round(median(times)),
      minMs: Math.round(Math.min(...times)),
      peakRssMb: +(rssKb / 1024).toFixed(0),
    };
    console.error(JSON.stringify(row));
    rows.push(row);
  };

  // Baselines: a bare Node start, and the raw scan for the daily report's numbers.
  const bare: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    check(spawnSync(process.execPath, ["-e", "0"]).status === 0, "node -e 0 failed");
    bare.push(performance.now() - t);
  }
  push("baseline: node -e 0", bare, 0);
  const db = new Database(ledger, { readonly: true });
  const scan: number[] = [];
  let scanEvents = 0;
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    const r = db
      .prepare(
        `SELECT ts - ts % 86400000 AS day, count(*) AS events, sum(cost_pico) AS pico FROM token_ledger_events GROUP BY 1`,
      )
      .all() as { events: number }[];
    scan.push(performance.now() - t);
    scanEvents = r.reduce((a, x) => a + x.events, 0);
  }
  db.close();
  check(scanEvents === N, `raw scan counted ${scanEvents} events, expected ${N}`);
  push("baseline: raw GROUP BY day scan (in process)", scan, 0);

  await cliCases("sqlite", env, push);
  await postgresCases(push);
  console.log(
    `\nCLI latency on ${N.toLocaleString("en-US")} events (${RUNS} runs each, child process wall time, CLI: ${cliCommand().join(" ")})`,
  );
  console.table(rows);
} finally {
  if (!keep) for (const suffix of ["", "-wal", "-shm"]) rmSync(`${ledger}${suffix}`, { force: true });
}

type Push = (name: string, times: number[], rssKb: number) => void;

async function cliCases(backend: string, env: Record<string, string>, push: Push): Promise<void> {
  for (const [name, args] of CASES) {
    const times: number[] = [];
    let rss = 0;
    for (let i = 0; i < RUNS; i++) {
      const r = await runChild(args, env);
      if (r.code !== 0) throw new Error(`${name}: ${r.stderr}`);
      times.push(r.ms);
      rss = Math.max(rss, r.maxRssKb ?? 0);
    }
    push(`${backend}: ${name}`, times, rss);
  }
}

/** The same events in a fresh PostgreSQL database (the CLI's URL names a database, not a schema), dropped after. */
async function postgresCases(push: Push): Promise<void> {
  const name = `tl_bench_cli_${process.pid}`;
  const admin = new pg.Client(PG_URL);
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  try {
    const s = postgresStorage({ connectionString: url.toString(), statementTimeoutMs: 600_000 });
    await s.init();
    await s.close();
    const seed = new pg.Client(url.toString());
    await seed.connect();
    try {
      const t = performance.now();
      // Copied from the SQLite ledger's rows (same ids, times, measures); the rollup triggers fill the projections.
      const sq = new Database(ledger, { readonly: true });
      const cols = [
        "id",
        "ts",
        "provider",
        "model",
        "operation",
        "status",
        "usage_source",
        "uncached_input_tokens",
        "cache_read_tokens",
        "output_tokens",
        "user_id",
        "team_id",
        "feature",
        "environment",
        "latency_ms",
        "request_id",
      ];
      const read = sq.prepare(`SELECT ${cols.join(", ")}, cost_pico FROM token_ledger_events`);
      let batch: Record<string, unknown>[] = [];
      const insert = async () => {
        const params: unknown[] = [];
        const values = batch.map((r) => {
          const pico = r.cost_pico === null ? null : BigInt(r.cost_pico as number);
          const usd =
            pico === null ? null : `${pico / 10n ** 12n}.${(pico % 10n ** 12n).toString().padStart(12, "0")}`;
          const v = [...cols.map((c) => (c === "ts" ? new Date(r.ts as number) : r[c])), usd];
          return `(${v.map((x) => (params.push(x), `$${params.length}`)).join(",")})`;
        });
        await seed.query(
          `INSERT INTO token_ledger_events (${cols.join(", ")}, cost_usd) VALUES ${values.join(",")}`,
          params,
        );
        batch = [];
      };
      for (const row of read.iterate() as IterableIterator<Record<string, unknown>>) {
        batch.push(row);
        if (batch.length === 1000) await insert();
      }
      if (batch.length > 0) await insert();
      sq.close();
      await seed.query("VACUUM ANALYZE");
      const n = Number((await seed.query("SELECT count(*) AS n FROM token_ledger_events")).rows[0].n);
      check(n === N, `postgres ledger holds ${n} events, expected ${N}`);
      console.error(`postgres: copied ${N} events in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    } finally {
      await seed.end();
    }
    await cliCases("postgres", { TOKENLEDGER_DATABASE_URL: url.toString(), HOME: tmpdir() }, push);
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}
