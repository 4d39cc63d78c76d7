/**
 * Track real OpenAI calls.
 *
 *   OPENAI_API_KEY=sk-... npx tsx examples/openai.ts [--db ./ledger.db]
 *
 * Without a key this prints how to run it (and points at the no-key demo).
 */
import { parseArgs } from "node:util";
import OpenAI from "openai";
import { instrumentationReady, track, untrack, withContext } from "tokenledger";

const { values } = parseArgs({
  options: { db: { type: "string" }, model: { type: "string", default: "gpt-4o-mini" } },
});

if (!process.env.OPENAI_API_KEY) {
  console.log("OPENAI_API_KEY is not set. Run it as:\n");
  console.log(
    "  OPENAI_API_KEY=sk-... npx tsx examples/openai.ts [--db ./ledger.db] [--model gpt-4o-mini]\n",
  );
  console.log("No key? `npx tsx examples/no-key-demo.ts` runs the same flow against a local fake server.");
  process.exit(0);
}

const tracker = track({ storage: values.db });
await instrumentationReady();
const client = new OpenAI();
const model = values.model!;

await withContext({ userId: "example-user", feature: "examples/openai" }, async () => {
  const reply = await client.chat.completions.create({
    model,
    messages: [{ role: "user", content: "Say hello in five words." }],
  });
  console.log(`chat: ${reply.choices[0]?.message.content}`);

  // Streamed: tokenledger asks for usage (stream_options.include_usage) and hides the extra chunk.
  process.stdout.write("stream: ");
  for await (const chunk of await client.chat.completions.create({
    model,
    messages: [{ role: "user", content: "Count to five." }],
    stream: true,
  })) {
    process.stdout.write(chunk.choices[0]?.delta?.content ?? "");
  }
  process.stdout.write("\n");

  const response = await client.responses.create({ model, input: "One word for 'fast'." });
  console.log(`responses: ${response.output_text}`);
});

await tracker.flush();
const storage = await tracker.storage();
const { totals } = await storage.rollup({ where: { feature: "examples/openai" } });
console.log(
  `recorded ${totals.requests} call(s) for this example so far: ${totals.totalTokens} tokens, $${totals.costUsd}`,
);
await untrack();
