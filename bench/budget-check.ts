/**
 * The added cost of a budget check on the call path (reserve before the call + settle after it), against the
 * same gate with no budget applying, on SQLite (temp file) and PostgreSQL (BENCH_PG_URL, default the test
 * server). Single process, sequential calls: p50/p99 per call. Then saturation: reservations per second with
 * 32 calls in flight. `node --import tsx bench/budget-check.ts`
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { BudgetGuard, parseBudget, type BudgetStore, type Pricer } from "tokenledger";
import { postgresStorage } from "tokenledger/postgres";
import { sqliteStorage } from "tokenledger/sqlite";
import { printTable } from "./util.js";

const N = Number(process.env.BENCH_BUDGET_CALLS ?? 2000);
const pricer: Pricer = { price: () => ({ costUsd: "0.000123", pricingKey: "bench" }) };
const body = { messages: [{ role: "user", content: "hello" }], max_tokens: 100 };
const input = {
  provider: "openai",
  model: "gpt-4o",
  usage: { uncachedInputTokens: 5, outputTokens: 50 },
  status: "ok" as const,
};

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
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

async function measure(store: BudgetStore): Promise<string[][]> {
  await store.put(
    parseBudget({ id: "bench", scope: "team", scopeId: "budgeted", period: "month", amountUsd: "1000000" }),
  );
  const guard = new BudgetGuard({ store, pricer, cacheMs: 60_000 });
  for (let i = 0; i < 200; i++) await oneCall(guard, i % 2 ? "budgeted" : "free"); // warm up
  const none: number[] = [];
  const withBudget: number[] = [];
  for (let i = 0; i < N; i++) {
    none.push(await oneCall(guard, "free"));
    withBudget.push(await oneCall(guard, "budgeted"));
  }
  const t0 = performance.now();
  let done = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (performance.now() - t0 < 3000) {
        await oneCall(guard, "budgeted");
        done++;
      }
    }),
  );
  const perSec = done / ((performance.now() - t0) / 1000);
  const f = (x: number) => x.toFixed(3);
  return [
    ["no budget", f(pct(none, 0.5)), f(pct(none, 0.99)), ""],
    ["budget (reserve+settle)", f(pct(withBudget, 0.5)), f(pct(withBudget, 0.99)), ""],
    ["added p50", f(pct(withBudget, 0.5) - pct(none, 0.5)), "", ""],
    ["saturation, 32 in flight", "", "", perSec.toFixed(0)],
  ];
}

const dir = mkdtempSync(join(tmpdir(), "tl-bench-budget-"));
const sqlite = sqliteStorage({ path: join(dir, "b.db") });
await sqlite.init();
printTable(
  `budget check, SQLite, ${N} calls`,
  ["path", "p50 ms", "p99 ms", "reservations/s"],
  await measure(sqlite.budgets),
);
await sqlite.close();
rmSync(dir, { recursive: true, force: true });

const url = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const schema = `tl_bench_budget_${process.pid}`;
const pgs = postgresStorage({ connectionString: url, schema });
try {
  await pgs.init();
  for (const asyncCommit of [false, true]) {
    pgs.budgets.asyncCommit = asyncCommit;
    printTable(
      `budget check, PostgreSQL (asyncCommit ${asyncCommit}), ${N} calls`,
      ["path", "p50 ms", "p99 ms", "reservations/s"],
      await measure(pgs.budgets),
    );
  }
} finally {
  await pgs.close();
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query(`drop schema if exists "${schema}" cascade`);
  await c.end();
}
