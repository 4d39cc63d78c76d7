/**
 * tokenledger in one command, no API key needed:
 *
 *   npm run demo                               # writes to ./.tokenledger-demo/ledger.db, never your real ledger
 *   npx tsx examples/no-key-demo.ts --db ./demo.db
 *
 * Starts a tiny OpenAI-compatible server on 127.0.0.1, calls it through the real `openai` SDK under a few
 * attributions (users, features), lets tokenledger record every call, then prints a cost rollup for this run.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import Table from "cli-table3";
import OpenAI from "openai";
import { instrumentationReady, track, untrack, withContext } from "tokenledger";

const { values } = parseArgs({ options: { db: { type: "string" } } });
// A ledger of the demo's own, in the directory the command was typed in (npm sets INIT_CWD), so demo calls
// never land in the user's real ledger (the default file, TOKENLEDGER_DATABASE_URL or DATABASE_URL).
const where = process.env.INIT_CWD ?? process.cwd();
const ledger = values.db ?? join(where, ".tokenledger-demo", "ledger.db");

// --- a tiny fake OpenAI: real wire format (JSON and SSE), canned answers, realistic usage numbers ---
const server = createServer((req, res) => {
  let raw = "";
  req.on("data", (c: Buffer) => (raw += c));
  req.on("end", () => {
    const body = JSON.parse(raw || "{}") as {
      model?: string;
      stream?: boolean;
      stream_options?: { include_usage?: boolean };
    };
    const model = body.model === "gpt-4o" ? "gpt-4o-2024-08-06" : "gpt-4o-mini-2024-07-18";
    const usage = {
      prompt_tokens: 1800,
      completion_tokens: 240,
      total_tokens: 2040,
      prompt_tokens_details: { cached_tokens: 1024 },
    };
    const base = { id: "chatcmpl-demo", created: Math.floor(Date.now() / 1000), model };
    const headers = { "x-request-id": `req_demo_${Math.random().toString(36).slice(2, 10)}` };
    if (!body.stream) {
      res.writeHead(200, { ...headers, "content-type": "application/json" });
      const message = { role: "assistant", content: "Here is a summary of your ticket." };
      return res.end(
        JSON.stringify({
          ...base,
          object: "chat.completion",
          choices: [{ index: 0, message, finish_reason: "stop" }],
          usage,
        }),
      );
    }
    res.writeHead(200, { ...headers, "content-type": "text/event-stream" });
    for (const word of ["Here", " is", " a", " streamed", " reply."]) {
      res.write(
        `data: ${JSON.stringify({ ...base, object: "chat.completion.chunk", choices: [{ index: 0, delta: { content: word } }] })}\n\n`,
      );
    }
    if (body.stream_options?.include_usage) {
      res.write(
        `data: ${JSON.stringify({ ...base, object: "chat.completion.chunk", choices: [], usage })}\n\n`,
      );
    }
    res.end("data: [DONE]\n\n");
  });
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;

// --- tokenledger: one call at startup. The local server is labelled "openai" so the demo calls are priced. ---
const runStart = new Date();
const tracker = track({ storage: ledger, interceptors: { baseURLProviders: { "127.0.0.1": "openai" } } });
await instrumentationReady(); // ESM copies of the SDKs are patched asynchronously

const client = new OpenAI({ apiKey: "no-key-needed", baseURL });
const ask = (model: string, content: string) =>
  client.chat.completions.create({ model, messages: [{ role: "user", content }] });

await withContext({ userId: "alice", feature: "ticket-summary" }, async () => {
  await ask("gpt-4o-mini", "Summarise ticket #1");
  await ask("gpt-4o-mini", "Summarise ticket #2");
});
await withContext({ userId: "bob", feature: "code-review" }, async () => {
  await ask("gpt-4o", "Review this diff");
  let text = "";
  for await (const chunk of await client.chat.completions.create({
    model: "gpt-4o",
    messages: [{ role: "user", content: "Stream it" }],
    stream: true,
  })) {
    text += chunk.choices[0]?.delta?.content ?? "";
  }
  console.log(`streamed reply: ${text}`);
});

// --- the rollup: read back what was stored in this run ---
await tracker.flush();
const storage = await tracker.storage();
const { rows, totals } = await storage.rollup({ since: runStart, groupBy: ["feature", "user", "model"] });
const table = new Table({
  head: ["feature", "user", "model", "requests", "input", "cached", "output", "cost (USD)"],
});
for (const r of rows) {
  table.push([
    r.feature ?? "-",
    r.user ?? "-",
    r.model ?? "-",
    r.requests,
    r.inputTokens,
    r.cacheReadTokens,
    r.outputTokens,
    r.costUsd,
  ]);
}
table.push([
  "total",
  "",
  "",
  totals.requests,
  totals.inputTokens,
  totals.cacheReadTokens,
  totals.outputTokens,
  totals.costUsd,
]);
console.log(table.toString());
if (totals.unpricedEvents > 0)
  console.log(
    `${totals.unpricedEvents} call(s) had no price in the catalog (recorded as unpriced, never $0).`,
  );
const isUrl = ledger.includes("://");
const file = isUrl ? "" : resolve(ledger);
console.log(`ledger: ${storage.kind} at ${isUrl ? "the --db URL" : file}`);
console.log(`next:   npx tokenledger report --db ${isUrl ? "<the same URL>" : JSON.stringify(file)}`);

await untrack();
server.close();
