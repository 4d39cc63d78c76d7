/**
 * Track Claude calls made with @anthropic-ai/sdk.
 *
 *   ANTHROPIC_API_KEY=sk-ant-... npx tsx examples/anthropic.ts
 *
 * Optional: ANTHROPIC_MODEL (default claude-haiku-4-5), TOKENLEDGER_DATABASE_URL (default: the SQLite ledger).
 * Every Messages call is recorded once — `create`, streamed or not, `messages.stream()`, `parse()` and
 * `beta.messages` — with tokens by bucket (cache reads, 5m/1h cache writes, thinking inside output), cost,
 * latency and time to first token. `countTokens` is free and not recorded.
 */
import Anthropic from "@anthropic-ai/sdk";
import { instrumentationReady, track, withContext } from "tokenledger";

if (!process.env.ANTHROPIC_API_KEY) {
  console.log(
    [
      "This example calls the Anthropic API and needs a key:",
      "",
      "  ANTHROPIC_API_KEY=sk-ant-... npx tsx examples/anthropic.ts",
      "",
      "Set ANTHROPIC_MODEL to pick another model. Usage goes to the default SQLite ledger",
      "(or TOKENLEDGER_DATABASE_URL); see it with `npx tokenledger report`.",
    ].join("\n"),
  );
  process.exit(0);
}

const tracker = track({ app: "anthropic-example" });
await instrumentationReady(); // ESM: the SDK's ESM copy is patched asynchronously

const model = process.env.ANTHROPIC_MODEL ?? "claude-haiku-4-5";
const client = new Anthropic();

await withContext({ userId: "user-42", feature: "anthropic-demo" }, async () => {
  // Not streamed: usage comes from the Message.
  const answer = await client.messages.create({
    model,
    max_tokens: 100,
    messages: [{ role: "user", content: "Say hi in five words." }],
  });
  console.log(
    "create:",
    answer.content[0]?.type === "text" ? answer.content[0].text : answer.content[0]?.type,
  );

  // stream: true: the SDK Stream is passed through untouched; usage is message_start plus the last message_delta.
  const stream = await client.messages.create({
    model,
    max_tokens: 100,
    stream: true,
    messages: [{ role: "user", content: "Count to five." }],
  });
  for await (const event of stream) {
    if (event.type === "content_block_delta" && event.delta.type === "text_delta")
      process.stdout.write(event.delta.text);
  }
  process.stdout.write("\n");

  // The MessageStream helper goes through `create` as well, and is recorded once.
  const final = await client.messages
    .stream({ model, max_tokens: 100, messages: [{ role: "user", content: "Name three colours." }] })
    .on("text", (text) => process.stdout.write(text))
    .finalMessage();
  process.stdout.write("\n");
  console.log("stream() usage:", final.usage);
});

await tracker.shutdown();
console.log("recorded:", tracker.stats().persisted, "events");
