/**
 * Express: attribute every LLM call a request makes to its user, team, feature and route.
 *
 *   npx tsx examples/express.ts
 *
 * Starts an app on an ephemeral port, sends it three requests and prints the recorded events. Headers read by
 * default: x-user-id, x-team-id, x-project-id, x-feature, x-cost-center, x-session-id.
 */
import type { AddressInfo } from "node:net";
import express from "express";
import { track, trackCost, untrack } from "tokenledger";
import { tokenLedger } from "tokenledger/express";
import { memoryStorage } from "tokenledger/memory";

const storage = memoryStorage();
const tracker = track({ storage, instrument: false });

type AuthedRequest = express.Request & { user?: { id: string } };

const app = express();
// Authentication first, so resolve() can read req.user (it wins over client-sent headers).
app.use((req, _res, next) => {
  const auth = req.headers.authorization;
  if (auth?.startsWith("Bearer ")) (req as AuthedRequest).user = { id: auth.slice(7) };
  next();
});
const attribution = tokenLedger<AuthedRequest>({
  resolve: (req) => (req.user ? { userId: req.user.id } : undefined),
});
app.use(attribution);
app.use(express.json());
app.post("/tickets/:ticketId/reply", async (req, res) => {
  // A call to a provider without an interceptor; patched SDKs (openai, anthropic, ...) record by themselves.
  trackCost({
    provider: "groq",
    model: "llama-3.1-8b-instant",
    usage: { inputTokens: 300, outputTokens: 80 },
  });
  res.json({ ok: true, ticket: req.params.ticketId });
});

const server = app.listen(0, "127.0.0.1");
await new Promise((r) => server.once("listening", r));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const send = (headers: Record<string, string>) =>
  fetch(`${base}/tickets/42/reply`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: "{}",
  });

await send({ "x-user-id": "erin", "x-team-id": "support", "x-feature": "auto-reply" });
await send({ authorization: "Bearer frank", "x-user-id": "spoofed", "x-feature": "auto-reply" });
await send({ "x-user-id": "<script>" }); // unsafe value: dropped and counted, never stored

await tracker.flush();
for await (const e of storage.events({})) {
  console.log(`user=${e.userId}\tteam=${e.teamId}\tfeature=${e.feature}\t${JSON.stringify(e.metadata)}`);
}
console.log("middleware stats:", attribution.stats());
server.close();
await untrack();
