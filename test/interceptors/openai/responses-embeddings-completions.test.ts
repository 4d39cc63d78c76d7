import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startOpenAIServer, type OpenAIFakeServer } from "../../helpers/openai-server.js";
import {
  DEFAULT_BUCKETS,
  GPT4O_DEFAULT_COST,
  eventsAfter,
  harness,
  patch,
  require,
  type Harness,
} from "./support.js";

const openai = require("openai");
const { OpenAI } = openai;

let server: OpenAIFakeServer;
let h: Harness;
let restore: (() => void) | undefined;
let client: InstanceType<typeof OpenAI>;

beforeAll(async () => {
  server = await startOpenAIServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  restore?.();
  h = harness({ baseURLProviders: { "127.0.0.1": "openai" } });
  const set = patch(openai, h);
  restore = () => set.restore();
  client = new OpenAI({ apiKey: "sk-test", baseURL: server.baseURL, maxRetries: 0 });
});

async function collect(stream: AsyncIterable<unknown>): Promise<any[]> {
  const out: any[] = [];
  for await (const c of stream) out.push(c);
  return out;
}

describe("responses.create", () => {
  it("not streamed: input/output token details map to the same buckets as Chat", async () => {
    const res = await client.responses.create({ model: "gpt-4o", input: "Hi" });
    expect(res.output_text).toBe("Hello from the fake server.");
    const [e] = await eventsAfter(h, 1);
    expect(e).toMatchObject({
      operation: "responses",
      streamed: false,
      status: "ok",
      model: "gpt-4o-2024-08-06",
      costUsd: GPT4O_DEFAULT_COST,
    });
    expect(e!.usage).toMatchObject(DEFAULT_BUCKETS);
  });

  it("streamed: usage from response.completed, TTFT from the first delta, events untouched", async () => {
    const events = await collect(
      await client.responses.create({ model: "gpt-4o", input: "Hi", stream: true }),
    );
    expect(events.map((e) => e.type)).toContain("response.completed");
    const [e] = await eventsAfter(h, 1);
    expect(e).toMatchObject({
      streamed: true,
      status: "ok",
      usageSource: "provider",
      costUsd: GPT4O_DEFAULT_COST,
    });
    expect(e!.usage).toMatchObject(DEFAULT_BUCKETS);
    expect(e!.timeToFirstTokenMs).not.toBeNull();
  });

  it("streamed response.incomplete: billed usage recorded, status ok, flagged incomplete", async () => {
    await collect(await client.responses.create({ model: "incomplete", input: "Hi", stream: true }));
    const [e] = await eventsAfter(h, 1);
    expect(e).toMatchObject({
      status: "ok",
      usageSource: "provider",
      metadata: { responseStatus: "incomplete", incompleteReason: "max_output_tokens" },
    });
    expect(e!.usage).toMatchObject(DEFAULT_BUCKETS);
  });

  it("streamed response.failed: recorded as error WITH the billed usage", async () => {
    await collect(await client.responses.create({ model: "failed", input: "Hi", stream: true }));
    const [e] = await eventsAfter(h, 1);
    expect(e).toMatchObject({ status: "error", usageSource: "provider", errorType: "ResponseFailedError" });
    expect(e!.errorMessage).toContain("The model failed");
    expect(e!.usage.outputTokens).toBe(500);
  });

  it("responses.stream() helper goes through create: counted once", async () => {
    const stream = client.responses.stream({ model: "gpt-4o", input: "Hi" });
    const final = await stream.finalResponse();
    expect(final.usage?.input_tokens).toBe(10_000);
    const events = await eventsAfter(h, 1);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ operation: "responses", streamed: true, status: "ok" });
  });

  it("responses.parse() is counted once", async () => {
    await client.responses.parse({ model: "gpt-4o", input: "Hi" });
    const events = await eventsAfter(h, 1);
    expect(events).toHaveLength(1);
  });

  it("early break on a Responses stream: aborted, once", async () => {
    const stream = await client.responses.create({ model: "gpt-4o", input: "Hi", stream: true });
    for await (const _ of stream) break;
    const events = await eventsAfter(h, 1);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ status: "aborted", usageSource: "missing" });
  });
});

describe("embeddings.create", () => {
  it("prompt tokens billed as input; base64 decoding by the SDK still works", async () => {
    server.responseModel = (m) => m;
    try {
      const res = await client.embeddings.create({ model: "text-embedding-3-small", input: ["a", "b"] });
      expect(res.data[0]!.embedding).toEqual([0.25, -0.5, 0.125]);
      const [e] = await eventsAfter(h, 1);
      expect(e).toMatchObject({ operation: "embeddings", model: "text-embedding-3-small", status: "ok" });
      expect(e!.usage).toMatchObject({ uncachedInputTokens: 10_000, outputTokens: 0, cacheReadTokens: 0 });
      // 10,000 × $0.02 / 1M
      expect(e!.costUsd).toBe("0.0002");
    } finally {
      server.responseModel = undefined;
    }
  });
});

describe("legacy completions.create", () => {
  it("not streamed and streamed (with injected include_usage hidden)", async () => {
    server.responseModel = (m) => m;
    try {
      const res = await client.completions.create({ model: "gpt-3.5-turbo-instruct", prompt: "Say hi" });
      expect(res.choices[0]!.text).toBe("Hello from the fake server.");
      const chunks = await collect(
        await client.completions.create({ model: "gpt-3.5-turbo-instruct", prompt: "Say hi", stream: true }),
      );
      expect(chunks.every((c) => c.choices.length === 1 && !("usage" in c))).toBe(true);
      const events = await eventsAfter(h, 2);
      expect(events.map((e) => [e.operation, e.streamed, e.usageSource])).toEqual([
        ["completion", false, "provider"],
        ["completion", true, "provider"],
      ]);
      // 2,000 × 1.50 + 8,000 × 1.50 (no cache discount) + 500 × 2.00, per 1M
      expect(events.map((e) => e.costUsd)).toEqual(["0.016", "0.016"]);
    } finally {
      server.responseModel = undefined;
    }
  });
});
