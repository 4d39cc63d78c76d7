// A sibling process of the shared-breaker test. Role `trip`: sends calls until the primary's breaker opens,
// waits until its transition is stored, prints when it opened. Role `watch`: says `ready`, notes when its own
// breaker first shows open (adopted from the store), and once `goFile` appears makes one call at the time given.
import { existsSync, readFileSync } from "node:fs";
import OpenAI from "openai";
import { failover, groupOf, type ProviderHealthStore } from "tokenledger/failover";
import { postgresStorage } from "tokenledger/postgres";
import { sqliteStorage } from "tokenledger/sqlite";

const [role, kind, target, schema, primaryURL, fallbackURL, share, goFile] = process.argv.slice(2);
const storage =
  kind === "sqlite"
    ? sqliteStorage({ path: target! })
    : postgresStorage({ connectionString: target!, schema: schema! });
await storage.init();
const store: ProviderHealthStore = storage.providerHealth;
const client = failover({
  name: "shared",
  record: () => {},
  ...(share === "on" ? { share: { store, pollMs: 250 } } : {}),
  targets: [
    { provider: "openai", name: "primary", client: new OpenAI({ apiKey: "sk-a", baseURL: primaryURL }) },
    {
      provider: "openai-compatible",
      name: "fallback",
      client: new OpenAI({ apiKey: "sk-b", baseURL: fallbackURL }),
    },
  ],
});
const group = groupOf(client)!;
const call = () =>
  client.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "Hi" }] });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

if (role === "trip") {
  while (group.status()[0]!.state === "closed") await call();
  const openedAt = Date.now();
  while (
    share === "on" &&
    !(await store.readSince("shared", 0)).some((r) => r.target === "primary" && r.state === "open")
  )
    await sleep(10);
  process.stdout.write(`${JSON.stringify({ openedAt, stats: group.shared })}\n`);
} else {
  process.stdout.write("ready\n");
  let seenOpenAt: number | null = null;
  while (!existsSync(goFile!)) {
    if (seenOpenAt === null && group.status()[0]!.state !== "closed") seenOpenAt = Date.now();
    await sleep(5);
  }
  const { callAt } = JSON.parse(readFileSync(goFile!, "utf8")) as { callAt: number };
  while (Date.now() < callAt) {
    if (seenOpenAt === null && group.status()[0]!.state !== "closed") seenOpenAt = Date.now();
    await sleep(5);
  }
  const stateAtCall = group.status()[0]!.state;
  const answer = (await call()).choices[0]?.message.content;
  process.stdout.write(`${JSON.stringify({ seenOpenAt, stateAtCall, answer, stats: group.shared })}\n`);
}
await storage.close();
