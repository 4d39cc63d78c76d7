import { setTimeout as sleep } from "node:timers/promises";
import { isDeepStrictEqual } from "node:util";
import type OpenAI from "openai";
import type { LedgerEvent } from "tokenledger";
import { trackCost } from "../../../src/manual.js";

/**
 * What one request handler does: a chat call, a pause, a streamed call read after another pause.
 * `manual`: the SDK is not patched, so the handler records with trackCost() (a provider without an interceptor).
 * `sdk`: the client is patched by tokenledger and records by itself.
 */
export async function chatTwice(client: OpenAI, tag: string, mode: "sdk" | "manual"): Promise<string> {
  const messages = [{ role: "user" as const, content: tag }];
  const r = await client.chat.completions.create({ model: "gpt-4o-mini", user: tag, messages });
  if (mode === "manual") {
    trackCost({
      provider: "openai",
      model: r.model,
      usage: { inputTokens: r.usage!.prompt_tokens, outputTokens: r.usage!.completion_tokens },
    });
  }
  await sleep(Math.random() * 3);
  const stream = await client.chat.completions.create({
    model: "gpt-4o-mini",
    user: tag,
    messages,
    stream: true,
    stream_options: { include_usage: true },
  });
  await sleep(Math.random() * 3); // the stream is read later
  let usage: OpenAI.CompletionUsage | undefined;
  let model = "";
  for await (const chunk of stream) {
    model = chunk.model;
    usage = chunk.usage ?? usage;
  }
  if (mode === "manual") {
    trackCost({
      provider: "openai",
      model,
      streamed: true,
      usage: { inputTokens: usage!.prompt_tokens, outputTokens: usage!.completion_tokens },
    });
  }
  return r.model;
}

/** Run `count` jobs with at most `concurrency` in flight, in an interleaved order. */
export async function runPool(
  count: number,
  concurrency: number,
  job: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await job(next++);
    }),
  );
}

/** Every event must belong to the request whose user it names: the fake server echoes the user into the model. */
export function misattributed(
  events: readonly LedgerEvent[],
  expectedFor: (userId: string) => Partial<LedgerEvent>,
): string[] {
  const problems: string[] = [];
  for (const e of events) {
    if (!e.userId) {
      problems.push(`event ${e.id} has no userId`);
      continue;
    }
    if (e.model !== `fake-${e.userId}`) problems.push(`event for ${e.userId} came from ${e.model}`);
    const expected = expectedFor(e.userId) as Record<string, unknown>;
    for (const [k, v] of Object.entries(expected)) {
      const actual = (e as unknown as Record<string, unknown>)[k];
      if (!isDeepStrictEqual(actual, v))
        problems.push(`${e.userId}: ${k} = ${JSON.stringify(actual)}, expected ${JSON.stringify(v)}`);
    }
  }
  return problems;
}
