// Child for the rate-limit race: one process firing `calls` concurrent `takeRate` against one budget's minute.
// `atomic=off` is the negative control (read, yield, write).
import { postgresStorage } from "tokenledger/postgres";
import { sqliteStorage } from "tokenledger/sqlite";

const [kind, target, schema, atomic, callsArg, startAtArg, windowArg, rpmArg] = process.argv.slice(2);
const storage =
  kind === "sqlite"
    ? sqliteStorage({ path: target! })
    : postgresStorage({ connectionString: target!, schema: schema! });
await storage.init();
const store = storage.budgets;
store.atomic = atomic === "on";
await new Promise((r) => setTimeout(r, Math.max(0, Number(startAtArg) - Date.now())));
let granted = 0;
await Promise.all(
  Array.from({ length: Number(callsArg) }, async () => {
    const r = await store.takeRate("rate", Number(windowArg), 100, { requestsPerMinute: Number(rpmArg) });
    if (r.ok) granted++;
  }),
);
await storage.close();
process.stdout.write(`${JSON.stringify({ granted })}\n`);
