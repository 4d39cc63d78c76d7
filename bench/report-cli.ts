/**
 * `tokenledger report` / `costs` latency on a large SQLite ledger (BENCH_EVENTS, default 1,000,000).
 * The ledger is seeded once through the adapter's batch insert (which also maintains the hourly
 * rollup table the reports read) and kept in the temp dir for later runs.
 *   node --import tsx bench/report-cli.ts
 */
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sqliteStorage } from "tokenledger/sqlite";
import { makeEvents } from "./storage-bench-util.js";
import { runChild } from "./report-cli-child.js";
import { median } from "./util.js";

const N = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const ledger = join(tmpdir(), `tokenledger-bench-report-${N}.db`);

if (!existsSync(ledger)) {
  const started = performance.now();
  const storage = sqliteStorage({ path: ledger });
  await storage.init();
  const chunk = 20_000;
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

const env = { TOKENLEDGER_DATABASE_URL: ledger, HOME: tmpdir() };
const cases: [string, string[]][] = [
  ["startup (--version)", ["--version"]],
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
const rows: Record<string, string | number>[] = [];
for (const [name, args] of cases) {
  const times: number[] = [];
  let rss = 0;
  for (let i = 0; i < RUNS; i++) {
    const r = await runChild(args, env);
    if (r.code !== 0) throw new Error(`${name}: ${r.stderr}`);
    times.push(r.ms);
    rss = Math.max(rss, r.maxRssKb ?? 0);
  }
  const row = {
    case: name,
    medianMs: Math.round(median(times)),
    minMs: Math.round(Math.min(...times)),
    peakRssMb: +(rss / 1024).toFixed(0),
  };
  console.error(JSON.stringify(row));
  rows.push(row);
}
console.log(
  `\nCLI latency on ${N.toLocaleString("en-US")} events (${RUNS} runs each, child process wall time)`,
);
console.table(rows);
