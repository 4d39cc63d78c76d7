/**
 * Fastify: the tokenledger plugin attributes every LLM call a request makes to its user, team, feature and
 * route pattern, in every plugin context of the instance it is registered on.
 *
 *   npx tsx examples/fastify.ts
 */
import Fastify from "fastify";
import { track, trackCost, untrack } from "tokenledger";
import { tokenLedger } from "tokenledger/fastify";
import { memoryStorage } from "tokenledger/memory";

const storage = memoryStorage();
const tracker = track({ storage, instrument: false });

const app = Fastify();
await app.register(tokenLedger, { headers: { userId: "x-account-id" } }); // read the user from x-account-id
app.register(
  async (api) => {
    api.post("/documents/:docId/summarize", async () => {
      trackCost({
        provider: "mistral",
        model: "mistral-small-latest",
        usage: { inputTokens: 1200, outputTokens: 150 },
      });
      return { ok: true };
    });
  },
  { prefix: "/v1" },
);

for (const [account, team] of [
  ["gina", "legal"],
  ["hank", "sales"],
]) {
  const res = await app.inject({
    method: "POST",
    url: "/v1/documents/9/summarize",
    headers: { "x-account-id": account, "x-team-id": team, "x-feature": "summarize" },
  });
  console.log(res.statusCode, res.body);
}

await tracker.flush();
for await (const e of storage.events({})) {
  console.log(`user=${e.userId}\tteam=${e.teamId}\tfeature=${e.feature}\t${JSON.stringify(e.metadata)}`);
}
console.log("plugin stats:", app.tokenLedger.stats());
await app.close();
await untrack();
