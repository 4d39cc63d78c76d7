/**
 * One process of the budget-check load bench (bench/budget-check.ts): budget checks (reserve before the call,
 * settle after it, through the store) against one shared budget, either offered at `rate` calls/s (open loop: a call starts on its
 * schedule whether or not the previous one finished) or, with rate 0, `inflight` calls back to back (saturation).
 * Prints `{ latencies, done, seconds }` as one JSON line.
 * argv: kind (sqlite|postgres) target schema rate inflight seconds startAt asyncCommit
 */
import { randomUUID } from "node:crypto";
import { periodWindow } from "tokenledger";
import { postgresStorage } from "tokenledger/postgres";
import { sqliteStorage } from "tokenledger/sqlite";

const [kind, target, schema, rateArg, inflightArg, secondsArg, startAtArg, asyncArg] = process.argv.slice(2);
const storage =
  kind === "sqlite"
    ? sqliteStorage({ path: target! })
    : postgresStorage({ connectionString: target!, schema: schema! });
await storage.init();
if (kind === "postgres" && asyncArg === "on")
  (storage.budgets as { asyncCommit: boolean }).asyncCommit = true;
const store = storage.budgets;
const budget = (await store.list()).find((b) => b.id === "load")!;
const items = [{ budget, periodKey: periodWindow(Date.now(), budget.period, budget.timeZone).key }];

/**
 * The store's reserve + settle, as BudgetGuard runs them around a call (the guard's own work, microseconds, is
 * in the single-process rows): `guard.idle()` waits for every settle in the process, so under overlapping calls
 * it would time the whole stream, not one call.
 */
async function oneCall(): Promise<number> {
  const t0 = performance.now();
  const now = Date.now();
  const id = randomUUID();
  const r = await store.reserve({ id, items, amountUsd: "0.000123", expiresAt: now + 600_000, now });
  if (!r.ok) throw new Error("bench budget refused a reservation");
  await store.settle(id, "0.000123");
  return performance.now() - t0;
}

for (let i = 0; i < 20; i++) await oneCall(); // warm: definitions cached, counter row made, JIT
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
await sleep(Math.max(0, Number(startAtArg) - Date.now()));
const seconds = Number(secondsArg);
const rate = Number(rateArg);
const latencies: number[] = [];
// A check that failed (SQLite: the write lock not had within its 10 s deadline) is counted, not timed.
let failed = 0;
const countFailure = () => void failed++;
const t0 = performance.now();
const end = t0 + seconds * 1000;
if (rate > 0) {
  const calls: Promise<void>[] = [];
  for (let k = 0; t0 + (k * 1000) / rate < end; k++) {
    const due = t0 + (k * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    calls.push(oneCall().then((ms) => void latencies.push(ms), countFailure));
  }
  await Promise.all(calls);
} else {
  await Promise.all(
    Array.from({ length: Number(inflightArg) }, async () => {
      while (performance.now() < end) await oneCall().then((ms) => void latencies.push(ms), countFailure);
    }),
  );
}
const took = (performance.now() - t0) / 1000;
await storage.close();
process.stdout.write(`${JSON.stringify({ latencies, done: latencies.length, failed, seconds: took })}\n`);
