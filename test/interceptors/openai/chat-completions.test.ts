import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startOpenAIServer, type OpenAIFakeServer } from "../../helpers/openai-server.js";
import { resetStreamOptionsMemory } from "../../../interceptors/openai/stream-options.js";
import {
  DEFAULT_BUCKETS,
  GPT4O_DEFAULT_COST,
  deepFreeze,
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
let restore: () => void;
let client: InstanceType<typeof OpenAI>;

beforeAll(async () => {
  server = await startOpenAIServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  restore?.();
  resetStreamOptionsMemory();
  server.azureFilterChunk = false;
  server.requests.length = 0;
  h = harness({ baseURLProviders: { "127.0.0.1": "openai" } });
  const set = patch(openai, h);
  restore = () => set.restore();
  client = new OpenAI({ apiKey: "sk-test", baseURL: server.baseURL, maxRetries: 0 });
});

const messages = [{ role: "user" as const, content: "Hi" }];

async function collect(stream: AsyncIterable<unknown>): Promise<any[]> {
  const out: any[] = [];
  for await (const c of stream) out.push(c);
  return out;
}

describe("chat.completions.create (not streamed)", () => {
  it("records exact buckets, response model, request id, service tier and cost", async () => {
    const res = await client.chat.completions.create({ model: "gpt-4o", messages });
    expect(res.choices[0].message.content).toBe("Hello from the fake server.");
    const [e] = await eventsAfter(h, 1);
    expect(e).toMatchObject({
      provider: "openai",
      model: "gpt-4o-2024-08-06",
      requestedModel: "gpt-4o",
      operation: "chat",
      streamed: false,
      status: "ok",
      usageSource: "provider",
      serviceTier: "default",
      costUsd: GPT4O_DEFAULT_COST,
      unpriced: false,
    });
    expect(e!.usage).toMatchObject(DEFAULT_BUCKETS);
    expect(e!.requestId).toMatch(/^req_\d+$/);
    expect(e!.requestId).toBe((res as any)._request_id);
    expect(e!.latencyMs).toBeGreaterThan(0);
  });

  it("returns the SDK's APIPromise: asResponse() leaves the body unread, withResponse().data is the awaited object", async () => {
    const rawPromise = client.chat.completions.create({ model: "gpt-4o", messages });
    expect(rawPromise).toBeInstanceOf(openai.APIPromise);
    const raw = await rawPromise.asResponse();
    const text = await raw.text(); // fails with "Body has already been read" if we parsed early
    expect(JSON.parse(text).usage.prompt_tokens).toBe(10_000);

    const promise = client.chat.completions.create({ model: "gpt-4o", messages });
    const data = await promise;
    const { data: same, response, request_id } = await promise.withResponse();
    expect(same).toBe(data);
    expect(response.headers.get("x-request-id")).toBe(request_id);
    const events = await eventsAfter(h, 2);
    expect(events).toHaveLength(2); // one per logical call, however many ways the caller looked at it
    expect(events.every((e) => e.usage.cacheReadTokens === 8000)).toBe(true);
  });

  it("records a call whose caller only reads the raw response (usage from a clone)", async () => {
    const raw = await client.chat.completions.create({ model: "gpt-4o", messages }).asResponse();
    expect((await raw.json()).id).toBe("chatcmpl-fake123");
    const [e] = await eventsAfter(h, 1);
    expect(e!.usage).toMatchObject(DEFAULT_BUCKETS);
    expect(e!.costUsd).toBe(GPT4O_DEFAULT_COST);
  });

  it("never mutates the caller's (frozen) params", async () => {
    const params = deepFreeze({ model: "gpt-4o", messages: [{ role: "user" as const, content: "Hi" }] });
    await client.chat.completions.create(params);
    const streamParams = deepFreeze({
      model: "gpt-4o",
      messages: [{ role: "user" as const, content: "Hi" }],
      stream: true as const,
    });
    await collect(await client.chat.completions.create(streamParams));
    expect(streamParams).toEqual({
      model: "gpt-4o",
      messages: [{ role: "user", content: "Hi" }],
      stream: true,
    });
    expect(await eventsAfter(h, 2)).toHaveLength(2);
  });

  it("HTTP 429 and 500: the caller gets the SDK error at await; one error event each, no tokens", async () => {
    const p429 = client.chat.completions.create({ model: "rate-limited", messages });
    await expect(p429).rejects.toBeInstanceOf(openai.RateLimitError);
    await expect(client.chat.completions.create({ model: "server-error", messages })).rejects.toBeInstanceOf(
      openai.InternalServerError,
    );
    const events = await eventsAfter(h, 2);
    expect(events.map((e) => [e.status, e.httpStatus, e.errorType, e.usageSource])).toEqual([
      ["error", 429, "RateLimitError", "provider"],
      ["error", 500, "InternalServerError", "provider"],
    ]);
    expect(events[0]!.requestId).toMatch(/^req_/);
    expect(events[0]!.usage.uncachedInputTokens + events[0]!.usage.outputTokens).toBe(0);
  });

  it("with SDK retries on, a 429 retried twice is still ONE event (latency covers every attempt)", async () => {
    const retrying = new OpenAI({ apiKey: "sk-test", baseURL: server.baseURL, maxRetries: 2 });
    const before = server.requests.length;
    await expect(
      retrying.chat.completions.create({ model: "rate-limited", messages }, { timeout: 5000 }),
    ).rejects.toThrow();
    expect(server.requests.length - before).toBe(3);
    const events = await eventsAfter(h, 1);
    expect(events).toHaveLength(1);
    expect(events[0]!.httpStatus).toBe(429);
  }, 15_000);
});

describe("chat.completions.create (streamed)", () => {
  it("injects include_usage on a copy, hides the usage chunk: the caller's chunks equal an untracked call's", async () => {
    h.setSink(undefined); // tracking off: the untracked baseline
    const untracked = await collect(
      await client.chat.completions.create({ model: "gpt-4o", messages, stream: true }),
    );
    expect(server.requests.at(-1)!.body.stream_options).toBeUndefined();
    h.setSink(harness().env.sink()); // any sink turns tracking on
    const h2 = harness({ baseURLProviders: { "127.0.0.1": "openai" } });
    h.setSink(h2.env.sink());
    const tracked = await collect(
      await client.chat.completions.create({ model: "gpt-4o", messages, stream: true }),
    );
    expect(server.requests.at(-1)!.body.stream_options).toEqual({ include_usage: true });
    expect(tracked).toEqual(untracked);
    expect(tracked.every((c) => c.choices.length > 0 && !("usage" in c))).toBe(true);
    const [e] = await eventsAfter(h2, 1);
    expect(e).toMatchObject({
      streamed: true,
      status: "ok",
      usageSource: "provider",
      model: "gpt-4o-2024-08-06",
      costUsd: GPT4O_DEFAULT_COST,
    });
    expect(e!.usage).toMatchObject(DEFAULT_BUCKETS);
    expect(e!.timeToFirstTokenMs).toBeGreaterThan(0);
    expect(e!.timeToFirstTokenMs!).toBeLessThanOrEqual(e!.latencyMs!);
  });

  it("leaves the usage chunk visible when the caller asked for it", async () => {
    const chunks = await collect(
      await client.chat.completions.create({
        model: "gpt-4o",
        messages,
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 10_000 } });
    const [e] = await eventsAfter(h, 1);
    expect(e!.usage).toMatchObject(DEFAULT_BUCKETS);
  });

  it('openaiStreamUsage "never": request untouched, usage recorded as missing (never as zero cost)', async () => {
    h.options = { ...h.options, openaiStreamUsage: "never" };
    await collect(await client.chat.completions.create({ model: "gpt-4o", messages, stream: true }));
    expect(server.requests.at(-1)!.body.stream_options).toBeUndefined();
    const [e] = await eventsAfter(h, 1);
    expect(e).toMatchObject({ status: "ok", usageSource: "missing" });
  });

  it("Azure's first content-filter chunk (choices: [], model: '', usage: null) is not taken for usage", async () => {
    server.azureFilterChunk = true;
    const chunks = await collect(
      await client.chat.completions.create({ model: "gpt-4o", messages, stream: true }),
    );
    expect(chunks[0]).toMatchObject({ choices: [], model: "", prompt_filter_results: expect.any(Array) });
    const [e] = await eventsAfter(h, 1);
    expect(e!.model).toBe("gpt-4o-2024-08-06");
    expect(e!.usage).toMatchObject(DEFAULT_BUCKETS);
  });

  it("a server that rejects stream_options gets one retry without it, and is remembered", async () => {
    const first = await collect(
      await client.chat.completions.create({ model: "reject-stream-options", messages, stream: true }),
    );
    expect(first.map((c) => c.choices[0]?.delta?.content ?? "").join("")).toBe("Hello from the fake server.");
    const bodies = server.requests.map((r) => r.body.stream_options);
    expect(bodies).toEqual([{ include_usage: true }, undefined]);
    await collect(
      await client.chat.completions.create({ model: "reject-stream-options", messages, stream: true }),
    );
    expect(server.requests).toHaveLength(3); // no second rejected attempt for this base URL
    const events = await eventsAfter(h, 2);
    expect(events.map((e) => [e.status, e.usageSource])).toEqual([
      ["ok", "missing"],
      ["ok", "missing"],
    ]);
  });

  it("early break: recorded once as aborted; the request is cancelled", async () => {
    const stream = await client.chat.completions.create({ model: "slow-stream", messages, stream: true });
    for await (const _ of stream) break;
    const events = await eventsAfter(h, 1);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ status: "aborted", usageSource: "missing" });
    expect(stream.controller.signal.aborted).toBe(true);
  });

  it("AbortController mid-stream: recorded as aborted, once", async () => {
    const ac = new AbortController();
    const stream = await client.chat.completions.create(
      { model: "slow-stream", messages, stream: true },
      { signal: ac.signal },
    );
    const seen: unknown[] = [];
    await expect(
      (async () => {
        for await (const c of stream) {
          seen.push(c);
          if (seen.length === 2) ac.abort();
        }
      })(),
    ).resolves.toBeUndefined(); // the SDK ends the loop quietly on abort; we must not change that
    const events = await eventsAfter(h, 1);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ status: "aborted", streamed: true });
    expect(events[0]!.timeToFirstTokenMs).not.toBeNull();
  });

  it("abort before the answer: the caller's rejection is unchanged, recorded as aborted", async () => {
    const ac = new AbortController();
    const p = client.chat.completions.create(
      { model: "gpt-4o", messages, stream: true },
      { signal: ac.signal },
    );
    ac.abort();
    await expect(p).rejects.toBeInstanceOf(openai.APIUserAbortError);
    const [e] = await eventsAfter(h, 1);
    expect(e!.status).toBe("aborted");
  });

  it("connection reset mid-stream: the caller gets the error, recorded once as error", async () => {
    const stream = await client.chat.completions.create({
      model: "reset-mid-stream",
      messages,
      stream: true,
    });
    await expect(collect(stream)).rejects.toThrow();
    const events = await eventsAfter(h, 1);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ status: "error", usageSource: "missing" });
  });

  it("HTTP 429 on a streaming call rejects at await create(), not at first iteration", async () => {
    await expect(
      client.chat.completions.create({ model: "rate-limited", messages, stream: true }),
    ).rejects.toBeInstanceOf(openai.RateLimitError);
    const [e] = await eventsAfter(h, 1);
    expect(e).toMatchObject({ status: "error", httpStatus: 429, streamed: true });
  });

  it("keeps the SDK Stream: tee() and toReadableStream() are tracked, once", async () => {
    const stream = await client.chat.completions.create({ model: "gpt-4o", messages, stream: true });
    expect(stream).toBeInstanceOf(openai.Stream ?? require("openai/streaming").Stream);
    const [left, right] = stream.tee();
    const [a, b] = await Promise.all([collect(left), collect(right)]);
    expect(a).toEqual(b);
    expect(a.every((c) => c.choices.length > 0)).toBe(true);
    const readable = (
      await client.chat.completions.create({ model: "gpt-4o", messages, stream: true })
    ).toReadableStream();
    const text = await new Response(readable).text();
    expect(text.trim().split("\n")).toHaveLength(8); // role chunk + 6 words + finish; no usage chunk
    const events = await eventsAfter(h, 2);
    expect(events).toHaveLength(2);
    expect(events.every((e) => e.usage.outputTokens === 500)).toBe(true);
  });
});

describe("helpers that call create are counted once", () => {
  it("parse()", async () => {
    const parsed = await client.chat.completions.parse({ model: "gpt-4o", messages });
    expect(parsed.choices[0].message.content).toBe("Hello from the fake server.");
    const events = await eventsAfter(h, 1);
    expect(events).toHaveLength(1);
    expect(events[0]!.usage).toMatchObject(DEFAULT_BUCKETS);
  });

  it("stream() (ChatCompletionStream): finalChatCompletion works, one streamed event with usage", async () => {
    const runner = client.chat.completions.stream({ model: "gpt-4o", messages });
    const final = await runner.finalChatCompletion();
    expect(final.choices[0].message.content).toBe("Hello from the fake server.");
    const events = await eventsAfter(h, 1);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ streamed: true, status: "ok", usageSource: "provider" });
  });

  it("runTools(): one event per underlying request", async () => {
    const runner = client.chat.completions.runTools({
      model: "gpt-4o",
      messages,
      tools: [
        {
          type: "function",
          function: { name: "noop", parameters: { type: "object", properties: {} }, function: () => "ok" },
        },
      ],
    } as any);
    await runner.finalContent();
    const events = await eventsAfter(h, 1);
    expect(events).toHaveLength(1);
    expect(events[0]!.operation).toBe("chat");
  });
});
