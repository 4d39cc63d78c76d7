// Child for the alert race: every process settles a call that crosses 75 % of the same budget at the same
// instant and enqueues the alert. `claim=off` is the negative control (claim and lease always won: all deliver).
import { AlertOutbox, alertFor, parseBudget, periodWindow, webhookChannel } from "tokenledger";
import { postgresStorage } from "tokenledger/postgres";
import { sqliteStorage } from "tokenledger/sqlite";

const [kind, target, schema, claim, startAtArg, url] = process.argv.slice(2);
const storage =
  kind === "sqlite"
    ? sqliteStorage({ path: target! })
    : postgresStorage({ connectionString: target!, schema: schema! });
await storage.init();
const store = storage.budgets;
if (claim === "off") {
  // No exactly-once step: the claim row and the delivery lease both "win" for everyone.
  const claimAlert = store.claimAlert.bind(store);
  store.claimAlert = (k, p, now) => claimAlert(k, p, now).then(() => true);
  store.leaseAlert = () => Promise.resolve(true);
}
const budget = parseBudget({ id: "alerted", scope: "org", period: "month", amountUsd: "10" });
const outbox = new AlertOutbox(store, [webhookChannel({ url: url!, secret: "s" })]);
await new Promise((r) => setTimeout(r, Math.max(0, Number(startAtArg) - Date.now())));
await outbox.enqueue(alertFor(budget, periodWindow(Date.now(), "month", "UTC"), 75, "7.6", false));
await storage.close();
process.stdout.write("done\n");
