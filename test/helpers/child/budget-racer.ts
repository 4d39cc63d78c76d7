// Child for the budget race: one process firing `calls` concurrent reservations (estimate, a short "provider
// call", settle at the actual cost) against one budget. `atomic=off` is the negative control.
import { randomUUID } from "node:crypto";
import { parseBudget, periodWindow } from "tokenledger";
import { postgresStorage } from "tokenledger/postgres";
import { sqliteStorage } from "tokenledger/sqlite";

const [kind, target, schema, atomic, callsArg, startAtArg, estimate, actual] = process.argv.slice(2);
const storage =
  kind === "sqlite"
    ? sqliteStorage({ path: target! })
    : postgresStorage({ connectionString: target!, schema: schema! });
await storage.init();
const store = storage.budgets;
store.atomic = atomic === "on";
const budget = (await store.list()).find((b) => b.id === "race")!;
const budgetSpec = parseBudget({ ...budget });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
await sleep(Math.max(0, Number(startAtArg) - Date.now()));

let granted = 0;
let refused = 0;
await Promise.all(
  Array.from({ length: Number(callsArg) }, async () => {
    const now = Date.now();
    const id = randomUUID();
    const r = await store.reserve({
      id,
      items: [{ budget: budgetSpec, periodKey: periodWindow(now, budget.period, budget.timeZone).key }],
      amountUsd: estimate!,
      expiresAt: now + 60_000,
      now,
    });
    if (!r.ok) {
      refused++;
      return;
    }
    granted++;
    await sleep(Math.random() * 5); // the provider call
    await store.settle(id, actual!);
  }),
);
await storage.close();
process.stdout.write(`${JSON.stringify({ granted, refused })}\n`);
