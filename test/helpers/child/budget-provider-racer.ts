// Child for the provider-level budget race: `calls` concurrent chat completions through the real openai SDK
// (instrumented) against the local fake provider, under one org budget. `atomic=off` is the negative control.
import { createRequire } from "node:module";
import { BudgetGuard, instrument, track, untrack, type Pricer } from "tokenledger";
import { memoryStorage } from "tokenledger/memory";
import { postgresStorage } from "tokenledger/postgres";
import { sqliteStorage } from "tokenledger/sqlite";

const [kind, target, schema, atomic, callsArg, startAtArg, baseURL] = process.argv.slice(2);
const OpenAI = (createRequire(import.meta.url)("openai") as { OpenAI: new (o: object) => any }).OpenAI;
// Output at $20 per 1M tokens, input free: a call answering max_tokens = 500 costs exactly its reservation.
const pricer: Pricer = {
  price: (r) => ({ costUsd: String((r.usage.outputTokens * 20) / 1_000_000), pricingKey: "race" }),
};
const ledger =
  kind === "sqlite"
    ? sqliteStorage({ path: target! })
    : postgresStorage({ connectionString: target!, schema: schema! });
await ledger.init();
ledger.budgets.atomic = atomic === "on";
// A hard cap fails closed: a store error would block the call instead of letting it out (and fail this child).
const guard = new BudgetGuard({ store: ledger.budgets, pricer, onStoreError: "block" }).install();
track({ instrument: false, storage: memoryStorage(), pricer, logger: false });
const client = new OpenAI({ apiKey: "sk-test", baseURL, maxRetries: 0 });
instrument(client);
// Start barrier: "-" waits for the parent's SIGUSR2 after printing "ready" (every child set up, then all go at
// once); a number is a wall-clock start time.
if (startAtArg === "-") {
  // A signal listener alone does not keep the event loop alive (an unsettled top-level await would exit).
  const alive = setInterval(() => {}, 60_000);
  const go = new Promise((r) => process.once("SIGUSR2", r));
  process.stdout.write("ready\n");
  await go;
  clearInterval(alive);
} else await new Promise((r) => setTimeout(r, Math.max(0, Number(startAtArg) - Date.now())));

let sent = 0;
let blocked = 0;
await Promise.all(
  Array.from({ length: Number(callsArg) }, async () => {
    try {
      await client.chat.completions.create({
        model: "gpt-4o",
        messages: [{ role: "user", content: "Hi" }],
        max_tokens: 500,
      });
      sent++;
    } catch (e) {
      if ((e as Error).name === "BudgetExceededError") blocked++;
      else throw e; // a storage error (pool starvation) fails the race: every call must be sent or refused
    }
  }),
);
await untrack();
await guard.idle();
await ledger.close();
process.stdout.write(`${JSON.stringify({ sent, blocked })}\n`);
