/**
 * The added cost of a budget check on the call path (reserve before the call + settle after it), on SQLite
 * (temp file) and PostgreSQL (BENCH_PG_URL, default the test server).
 * 1. One process, sequential calls: p50/p99 against the same gate with no budget applying, and against the
 *    floor on this machine: one bare one-row UPDATE round trip on the same database (a check is two writes).
 * 2. 8 processes each offered 100 calls/s (open loop), one shared budget: p50/p99 across all calls.
 * 3. Saturation: 8 processes × 4 calls in flight back to back; reservations (each settled) per second.
 * `node --import tsx bench/budget-check.ts`; BENCH_QUICK=1 for short runs.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import pg from "pg";
import { BudgetGuard, parseBudget, type BudgetStore, type Pricer } from "tokenledger";
import { postgresStorage } from "tokenledger/postgres";
import { sqliteStorage } from "tokenledger/sqlite";
import { QUICK, printTable, size } from "./util.js";

const N = size("BENCH_BUDGET_CALLS", 2000, 300);
const LOAD_S = size("BENCH_BUDGET_LOAD_S", 10, 1);
// Quick mode (CI) keeps the multi-process paths working with 2 processes; the figures come from the full run.
const PROCS = size("BENCH_BUDGET_PROCS", 8, 2);
const pricer: Pricer = { price: () => ({ costUsd: "0.000123", pricingKey: "bench" }) };
const body = { messages: [{ role: "user", content: "hello" }], max_tokens: 100 };
const input = {
  provider: "openai",
  model: "gpt-4o",
  usage: { uncachedInputTokens: 5, outputTokens: 50 },
  status: "ok" as const,
};
const f = (x: number) => x.toFixed(3);

function pct(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
}

async function oneCall(guard: BudgetGuard, teamId: string): Promise<number> {
  const t0 = performance.now();
  const a = await guard.admit({
    provider: "openai",
    operation: "chat",
    model: "gpt-4o",
    body,
    attribution: { teamId },
  });
  a.finish(input);
  await guard.idle();
  return performance.now() - t0;
}

/** Single process: no budget, budget, and the bare-UPDATE floor interleaved, so load drift hits all alike. */
async function measure(store: BudgetStore, floor: () => Promise<void>): Promise<string[][]> {
  await store.put(
    parseBudget({ id: "bench", scope: "team", scopeId: "budgeted", period: "month", amountUsd: "1000000" }),
  );
  const guard = new BudgetGuard({ store, pricer, cacheMs: 60_000 });
  for (let i = 0; i < 100; i++) await oneCall(guard, i % 2 ? "budgeted" : "free"); // warm up
  const none: number[] = [];
  const withBudget: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < N; i++) {
    none.push(await oneCall(guard, "free"));
    withBudget.push(await oneCall(guard, "budgeted"));
    const t0 = performance.now();
    await floor();
    bare.push(performance.now() - t0);
  }
  const p50 = pct(withBudget, 0.5);
  return [
    ["no budget", f(pct(none, 0.5)), f(pct(none, 0.99)), ""],
    ["budget (reserve+settle)", f(p50), f(pct(withBudget, 0.99)), ""],
    ["floor: bare 1-row UPDATE", f(pct(bare, 0.5)), f(pct(bare, 0.99)), ""],
    ["added p50 over no budget", f(p50 - pct(none, 0.5)), "", ""],
    ["p50 ÷ floor p50", (p50 / pct(bare, 0.5)).toFixed(2), "", ""],
  ];
}

interface ChildOut {
  latencies: number[];
  done: number;
  failed: number;
  seconds: number;
}

/** 8 child processes (bench/budget-load-child.ts) against the same store; all start together. */
async function load(args: readonly string[], rate: number, inflight: number, asyncCommit: boolean) {
  const child = fileURLToPath(new URL("./budget-load-child.ts", import.meta.url));
  const startAt = Date.now() + 3000;
  const outs = await Promise.all(
    Array.from(
      { length: PROCS },
      () =>
        new Promise<ChildOut>((resolve, reject) => {
          const p = spawn(process.execPath, [
            "--import",
            "tsx",
            child,
            ...args,
            String(rate),
            String(inflight),
            String(LOAD_S),
            String(startAt),
            asyncCommit ? "on" : "off",
          ]);
          let out = "";
          let err = "";
          p.stdout.on("data", (d: Buffer) => (out += d.toString()));
          p.stderr.on("data", (d: Buffer) => (err += d.toString()));
          p.on("exit", (code) =>
            code === 0
              ? resolve(JSON.parse(out.trim().split("\n").pop()!) as ChildOut)
              : reject(new Error(`load child exited ${code}: ${err}`)),
          );
        }),
    ),
  );
  const all = outs.flatMap((o) => o.latencies);
  const perSec = outs.reduce((s, o) => s + o.done / o.seconds, 0);
  const failed = outs.reduce((s, o) => s + o.failed, 0);
  return { p50: pct(all, 0.5), p99: pct(all, 0.99), perSec, calls: all.length, failed };
}

async function loadRows(args: readonly string[], asyncCommit = false): Promise<string[][]> {
  const offered = await load(args, 100, 0, asyncCommit);
  const sat = await load(args, 0, 4, asyncCommit);
  return [
    [
      `${PROCS} procs × 100 calls/s offered`,
      f(offered.p50),
      f(offered.p99),
      offered.perSec.toFixed(0),
      String(offered.failed),
    ],
    [
      `saturation, ${PROCS} procs × 4 in flight`,
      f(sat.p50),
      f(sat.p99),
      sat.perSec.toFixed(0),
      String(sat.failed),
    ],
  ];
}

const HEADER = ["path", "p50 ms", "p99 ms", "calls/s", "failed"];

async function sqliteRun(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "tl-bench-budget-"));
  const path = join(dir, "b.db");
  const sqlite = sqliteStorage({ path });
  await sqlite.init();
  const raw = new Database(path);
  raw.exec(
    "create table bench_floor (id integer primary key, n integer); insert into bench_floor values (1, 0)",
  );
  const upd = raw.prepare("update bench_floor set n = n + 1 where id = 1");
  try {
    const rows = await measure(sqlite.budgets, async () => void upd.run());
    await sqlite.budgets.put(
      parseBudget({ id: "load", scope: "org", period: "month", amountUsd: "1000000" }),
    );
    rows.push(...(await loadRows(["sqlite", path, "-"])));
    printTable(`budget check, SQLite, ${N} calls (load ${LOAD_S} s)`, HEADER, rows);
  } finally {
    raw.close();
    await sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgresRun(): Promise<void> {
  const url = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  const schema = `tl_bench_budget_${process.pid}`;
  const pgs = postgresStorage({ connectionString: url, schema });
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await pgs.init();
    await c.query(`create table "${schema}".bench_floor (id int primary key, n numeric)`);
    await c.query(`insert into "${schema}".bench_floor values (1, 0)`);
    await pgs.budgets.put(parseBudget({ id: "load", scope: "org", period: "month", amountUsd: "1000000" }));
    for (const asyncCommit of QUICK ? [true] : [false, true]) {
      pgs.budgets.asyncCommit = asyncCommit;
      const sc = asyncCommit ? `with s as (select set_config('synchronous_commit', 'off', true)) ` : "";
      const from = asyncCommit ? `, s` : "";
      const floorSql = `${sc}update "${schema}".bench_floor b set n = n + $1 from (select 1) one${from} where id = 1 returning n`;
      const rows = await measure(pgs.budgets, async () => void (await c.query(floorSql, [1])));
      rows.push(...(await loadRows(["postgres", url, schema], asyncCommit)));
      printTable(
        `budget check, PostgreSQL (asyncCommit ${asyncCommit}), ${N} calls (load ${LOAD_S} s)`,
        HEADER,
        rows,
      );
    }
  } finally {
    await pgs.close();
    await c.query(`drop schema if exists "${schema}" cascade`);
    await c.end();
  }
}

// BENCH_BUDGET_STORES=sqlite or postgres runs one store only.
const stores = (process.env.BENCH_BUDGET_STORES ?? "sqlite,postgres").split(",");
if (stores.includes("sqlite")) await sqliteRun();
if (stores.includes("postgres")) await postgresRun();
