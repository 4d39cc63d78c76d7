import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOpenAIServer, type OpenAIFakeServer } from "../../helpers/openai-server.js";
import { DEFAULT_BUCKETS, GPT4O_DEFAULT_COST, eventsAfter, harness, patch, require } from "./support.js";

/** A focused subset run against each installed SDK major (npm aliases), patched the way `track()` does. */
const VERSIONS = ["openai", "openai-v5", "openai-v4"] as const;

let server: OpenAIFakeServer;
beforeAll(async () => {
  server = await startOpenAIServer();
});
afterAll(async () => {
  await server.close();
});

const messages = [{ role: "user" as const, content: "Hi" }];

describe.each(VERSIONS)("%s", (pkg) => {
  const mod = require(pkg);
  const version: string = require(`${pkg}/version`).VERSION;
  const setup = () => {
    const h = harness({ baseURLProviders: { "127.0.0.1": "openai" } });
    const set = patch(mod, h);
    const client = new mod.OpenAI({ apiKey: "sk-test", baseURL: server.baseURL, maxRetries: 0 });
    return { h, client, done: () => set.restore() };
  };

  it(`(${version}) chat: not streamed, streamed with hidden usage chunk, raw body still readable`, async () => {
    const { h, client, done } = setup();
    try {
      await client.chat.completions.create({ model: "gpt-4o", messages });
      const chunks: any[] = [];
      for await (const c of await client.chat.completions.create({ model: "gpt-4o", messages, stream: true }))
        chunks.push(c);
      expect(chunks.every((c) => c.choices.length > 0 && !("usage" in c))).toBe(true);
      const raw = await client.chat.completions.create({ model: "gpt-4o", messages }).asResponse();
      expect(JSON.parse(await raw.text()).object).toBe("chat.completion");
      const events = await eventsAfter(h, 3);
      expect(events.map((e) => [e.streamed, e.status, e.costUsd])).toEqual([
        [false, "ok", GPT4O_DEFAULT_COST],
        [true, "ok", GPT4O_DEFAULT_COST],
        [false, "ok", GPT4O_DEFAULT_COST],
      ]);
      expect(events[1]!.usage).toMatchObject(DEFAULT_BUCKETS);
    } finally {
      done();
    }
  });

  it(`(${version}) responses streamed, embeddings, parse helper, 429, break`, async () => {
    const { h, client, done } = setup();
    try {
      for await (const _ of await client.responses.create({ model: "gpt-4o", input: "Hi", stream: true }));
      await client.embeddings.create({ model: "text-embedding-3-small", input: "x" });
      const completions = client.chat.completions.parse
        ? client.chat.completions
        : client.beta.chat.completions;
      await completions.parse({ model: "gpt-4o", messages });
      await expect(
        client.chat.completions.create({ model: "rate-limited", messages }),
      ).rejects.toBeInstanceOf(mod.RateLimitError);
      for await (const _ of await client.chat.completions.create({
        model: "slow-stream",
        messages,
        stream: true,
      }))
        break;
      const events = await eventsAfter(h, 5);
      expect(events.map((e) => [e.operation, e.status])).toEqual([
        ["responses", "ok"],
        ["embeddings", "ok"],
        ["chat", "ok"],
        ["chat", "error"],
        ["chat", "aborted"],
      ]);
      expect(events[0]!.usage).toMatchObject(DEFAULT_BUCKETS);
    } finally {
      done();
    }
  });
});
