/**
 * Attribute LLM spend to users and features with `withContext`, no API key needed:
 *
 *   npx tsx examples/context.ts
 *
 * Records calls to a provider tokenledger does not intercept (a local Ollama, here simulated) with `trackCost`,
 * inside nested scopes, then prints who spent what.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { getContext, track, trackCost, untrack, withContext } from "tokenledger";
import { memoryStorage } from "tokenledger/memory";

const storage = memoryStorage();
track({ storage, instrument: false, app: "support-bot", environment: "dev" });

/** Stands in for `ollama.chat()`: its answer carries Ollama's own token counts. */
async function ollamaChat(prompt: string) {
  await sleep(5);
  return { model: "llama3.1:8b", prompt_eval_count: 40 + prompt.length, eval_count: 120 };
}

async function answerTicket(ticket: string): Promise<void> {
  const r = await ollamaChat(ticket);
  // inputTokens is every prompt token (cache included); tokenledger splits it into billing buckets.
  trackCost({
    provider: "ollama",
    model: r.model,
    usage: { inputTokens: r.prompt_eval_count, outputTokens: r.eval_count },
  });
}

await Promise.all(
  ["alice", "bob"].map((userId) =>
    withContext({ userId, teamId: "support" }, async () => {
      await answerTicket(`ticket from ${userId}`);
      // Nested scope: inner fields win, metadata merges.
      await withContext({ feature: "summarize", metadata: { ticketId: 7 } }, async () => {
        console.log("inside:", getContext());
        await answerTicket("summarize the thread");
      });
    }),
  ),
);

const tracker = track();
await tracker.flush();
for await (const e of storage.events({})) {
  console.log(
    `${e.userId}\t${e.feature ?? "-"}\t${e.model}\tin=${e.usage.uncachedInputTokens} out=${e.usage.outputTokens}\tcost=${e.costUsd ?? "unpriced"}`,
  );
}
await untrack();
