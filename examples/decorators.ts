/**
 * `@trackLLM` on service methods (TypeScript 5 standard decorators; `experimentalDecorators` works too):
 *
 *   npx tsx examples/decorators.ts
 *
 * Every call a decorated method makes is attributed to `feature: "Class.method"` plus the given fields, even
 * for a stream the caller reads later. `usage` records calls no interceptor sees (here a simulated Ollama),
 * and is skipped when an intercepted SDK call already recorded them, so nothing is counted twice.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { getContext, track, trackLLM, untrack, withContext } from "tokenledger";
import { memoryStorage } from "tokenledger/memory";

const storage = memoryStorage();
const tracker = track({ storage, instrument: false });

interface OllamaAnswer {
  model: string;
  message: string;
  prompt_eval_count: number;
  eval_count: number;
}

const fromOllama = (r: OllamaAnswer) => ({
  provider: "ollama",
  model: r.model,
  usage: { inputTokens: r.prompt_eval_count, outputTokens: r.eval_count },
});

class TicketService {
  @trackLLM({ teamId: "support", usage: fromOllama })
  async summarize(text: string): Promise<OllamaAnswer> {
    await sleep(5);
    return {
      model: "llama3.1:8b",
      message: `summary of ${text.length} chars`,
      prompt_eval_count: 90,
      eval_count: 30,
    };
  }

  @trackLLM({ feature: "draft-reply" })
  async *draftReply(): AsyncGenerator<string> {
    for (const word of ["Thanks", "for", "writing"]) {
      await sleep(2);
      yield `${word} (feature=${getContext().feature}, user=${getContext().userId})`;
    }
  }
}

const service = new TicketService();
await withContext({ userId: "carol" }, () => service.summarize("The printer is on fire."));
const stream = withContext({ userId: "dave" }, () => service.draftReply());
for await (const word of stream) console.log(word); // read outside the scope: still attributed to dave

await tracker.flush();
for await (const e of storage.events({})) {
  console.log(`${e.feature}\tuser=${e.userId}\tteam=${e.teamId}\t${e.model}\tlatency=${e.latencyMs}ms`);
}
await untrack();
