// `tokenledger advice` work (recommendations, anomalies over the default scopes and with user/team, forecast) on a
// 90-day ledger, SQLite and PostgreSQL, seeded through the adapters. Target from issue 17: under 1 s at 1M events.
// Cross-check: both backends give the same report. Sizes: BENCH_EVENTS (default 1M, quick 20k); BENCH_RUNS (5).
// Run: node --import tsx bench/advice.ts
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { Dimension, StorageAdapter } from "tokenledger";
import { postgresStorage } from "tokenledger/postgres";
import { sqliteStorage } from "tokenledger/sqlite";
import { adviceReport, type AdviceReport } from "../src/advice/report.js";
import { createPricer } from "../src/pricing/index.js";
import { PG_URL, makeEvents, printTable, timeIt } from "./storage-bench-util.js";
import { QUICK, check, median, size } from "./util.js";

const N = size("BENCH_EVENTS", 1_000_000, 20_000);
const RUNS = Number(process.env.BENCH_RUNS ?? (QUICK ? 3 : 5));
const END = Date.UTC(2026, 10, 22);
const CHUNK = 5000;
const pricer = createPricer({ litellmCachePath: false });

async function seed(s: StorageAdapter): Promise<void> {
  for (let i = 0; i < N; i += CHUNK) {
    // makeEvents spreads its n events over the span: build each chunk's slice of the 90 days.
    const part = makeEvents(
      Math.min(CHUNK, N - i),
      90 * (Math.min(CHUNK, N - i) / N),
      END - 90 * 86_400_000 * (1 - (i + CHUNK) / N),
    );
    await s.insertBatch(part);
  }
}

async function measure(
  name: string,
  s: StorageAdapter,
  rows: Record<string, string | number>[],
): Promise<AdviceReport> {
  await measureScopes(name, s, rows, ["model", "feature"]);
  return measureScopes(name, s, rows, ["model", "feature", "user", "team"]);
}

async function measureScopes(
  name: string,
  s: StorageAdapter,
  rows: Record<string, string | number>[],
  anomalyDimensions: Dimension[],
): Promise<AdviceReport> {
  let report: AdviceReport | undefined;
  const ms: number[] = [];
  for (let r = 0; r < RUNS; r++)
    ms.push(
      await timeIt(async () => {
        report = await adviceReport(s, {
          pricer,
          since: new Date(END - 30 * 86_400_000),
          until: new Date(END),
          anomalyDimensions,
        });
      }),
    );
  rows.push({
    backend: name,
    scopes: `total,${anomalyDimensions.join(",")}`,
    events: N,
    "median ms": median(ms).toFixed(0),
    "max ms": Math.max(...ms).toFixed(0),
  });
  return report!;
}

const rows: Record<string, string | number>[] = [];
const dir = mkdtempSync(join(tmpdir(), "tl-bench-advice-"));
const schema = `tl_bench_advice_${process.pid}`;
try {
  const lite = sqliteStorage({ path: join(dir, "ledger.db") });
  await lite.init();
  await seed(lite);
  const a = await measure("sqlite", lite, rows);
  await lite.close();

  const pgs = postgresStorage({ connectionString: PG_URL, schema });
  await pgs.init();
  await seed(pgs);
  const b = await measure("postgres", pgs, rows);
  await pgs.close();
  check(JSON.stringify(a) === JSON.stringify(b), "SQLite and PostgreSQL advice reports differ");
  printTable(`advice report, 90-day ledger (${RUNS} runs)`, rows);
} finally {
  rmSync(dir, { recursive: true, force: true });
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await c.end();
}
