/**
 * `messages.create({ stream: true })`: the SDK `Stream` is kept (tee, toReadableStream, controller), usage follows
 * the cumulative rule (message_start, then message_delta OVERWRITES), and each way a stream can end is recorded
 * exactly once: completed, `break`, abort, dropped connection, an `error` event, an HTTP error before the stream.
 */
import Anthropic from "@anthropic-ai/sdk";
import * as sdk from "@anthropic-ai/sdk";
import { Stream } from "@anthropic-ai/sdk/core/streaming";
import type { LedgerEvent } from "tokenledger";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { errorBody, messageEvents, sleep, type SseEvent } from "../../helpers/anthropic-server.js";
import { BASE_PARAMS, createHarness, deepFreeze, type Harness } from "./harness.js";

let h: Harness;
let client: Anthropic;

beforeAll(async () => {
  h = await createHarness();
  h.patch(sdk);
  client = new Anthropic({ apiKey: "sk-ant-test-key-000000000000", baseURL: h.server.url, maxRetries: 0 });
});
afterAll(() => h.close());
beforeEach(() => h.server.reset());

const STREAM = { ...BASE_PARAMS, stream: true as const };

/** message_start carries input and cache counts; two message_delta events carry CUMULATIVE totals. */
function cumulativeEvents(): SseEvent[] {
  return messageEvents({
    start: {
      input_tokens: 1000,
      cache_read_input_tokens: 5000,
      cache_creation_input_tokens: 2000,
      cache_creation: { ephemeral_5m_input_tokens: 2000, ephemeral_1h_input_tokens: 0 },
      output_tokens: 1,
    },
    deltas: [
      { output_tokens: 120 },
      // The last delta repeats the whole-message totals: overwrite, never add.
      {
        output_tokens: 300,
        input_tokens: 1000,
        cache_read_input_tokens: 5000,
        cache_creation_input_tokens: 2000,
      },
    ],
  });
}

/** Record count after `fn`, waiting a little so that a late second record would be seen. */
async function newEvents(fn: () => Promise<void>): Promise<LedgerEvent[]> {
  const before = (await h.events()).length;
  await fn();
  await h.waitFor(before + 1);
  await sleep(20);
  return (await h.events()).slice(before);
}

describe("stream: true", () => {
  it("overwrites cumulative usage (300 output, not 1+120+300) and prices it; records TTFT and the request id", async () => {
    const events = await newEvents(async () => {
      h.server.enqueue({
        kind: "sse",
        events: cumulativeEvents(),
        gapMs: 2,
        headers: { "request-id": "req_stream" },
      });
      const stream = await client.messages.create(STREAM);
      let text = "";
      for await (const ev of stream)
        if (ev.type === "content_block_delta" && ev.delta.type === "text_delta") text += ev.delta.text;
      expect(text).toBe("Hello!");
    });
    expect(events).toHaveLength(1);
    const e = events[0]!;
    expect(e).toMatchObject({
      streamed: true,
      status: "ok",
      usageSource: "provider",
      requestId: "req_stream",
      model: "claude-sonnet-4-6",
    });
    expect(e.usage).toMatchObject({
      uncachedInputTokens: 1000,
      cacheReadTokens: 5000,
      cacheWrite5mTokens: 2000,
      outputTokens: 300,
    });
    expect(e.costUsd).toBe("0.0165"); // 0.003 + 0.0015 + 0.0075 + 0.0045
    expect(e.timeToFirstTokenMs).not.toBeNull();
    expect(e.timeToFirstTokenMs!).toBeGreaterThan(0);
    expect(e.timeToFirstTokenMs!).toBeLessThanOrEqual(e.latencyMs!);
  });

  it("keeps the SDK Stream: same class, controller, and tee() branches both see every event (recorded once)", async () => {
    const events = await newEvents(async () => {
      h.server.enqueue({ kind: "sse", events: cumulativeEvents() });
      const stream = await client.messages.create(STREAM);
      expect(stream).toBeInstanceOf(Stream);
      expect(stream.controller).toBeInstanceOf(AbortController);
      const [left, right] = stream.tee();
      const seen: string[][] = [[], []];
      await Promise.all(
        [left, right].map(async (branch, i) => {
          for await (const ev of branch) seen[i]!.push(ev.type);
        }),
      );
      expect(seen[0]).toEqual(seen[1]);
      expect(seen[0]).toContain("message_stop");
    });
    expect(events).toHaveLength(1);
    expect(events[0]!.usage.outputTokens).toBe(300);
  });

  it("toReadableStream() still works and is observed", async () => {
    const events = await newEvents(async () => {
      h.server.enqueue({ kind: "sse", events: cumulativeEvents() });
      const stream = await client.messages.create(STREAM);
      const readable = stream.toReadableStream() as unknown as ReadableStream<Uint8Array>;
      const back = Stream.fromReadableStream<{ type: string }>(readable, new AbortController());
      const types: string[] = [];
      for await (const ev of back) types.push(ev.type);
      expect(types.at(-1)).toBe("message_stop");
    });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ status: "ok", usage: expect.objectContaining({ outputTokens: 300 }) });
  });

  it("withResponse() on a streaming create gives the same Stream and the request id", async () => {
    const events = await newEvents(async () => {
      h.server.enqueue({ kind: "sse", events: cumulativeEvents(), headers: { "request-id": "req_wr" } });
      const { data, request_id } = await client.messages.create(STREAM).withResponse();
      expect(request_id).toBe("req_wr");
      expect(data).toBeInstanceOf(Stream);
      for await (const _ of data) void _;
    });
    expect(events).toHaveLength(1);
    expect(events[0]!.requestId).toBe("req_wr");
  });

  it("an early break is recorded once as aborted with the partial usage seen (input from message_start)", async () => {
    const events = await newEvents(async () => {
      h.server.enqueue({ kind: "sse", events: cumulativeEvents(), gapMs: 3 });
      const stream = await client.messages.create(STREAM);
      for await (const ev of stream) if (ev.type === "content_block_delta") break;
      expect(stream.controller.signal.aborted).toBe(true); // the SDK cancels the request on break
    });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ status: "aborted", usageSource: "partial" });
    expect(events[0]!.usage).toMatchObject({
      uncachedInputTokens: 1000,
      cacheReadTokens: 5000,
      outputTokens: 1,
    });
  });

  it("a break on message_stop itself is a complete answer (ok, provider usage)", async () => {
    const events = await newEvents(async () => {
      h.server.enqueue({ kind: "sse", events: cumulativeEvents() });
      const stream = await client.messages.create(STREAM);
      for await (const ev of stream) if (ev.type === "message_stop") break;
    });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      status: "ok",
      usageSource: "provider",
      usage: expect.objectContaining({ outputTokens: 300 }),
    });
  });

  it("an abort through AbortController mid-stream is recorded as aborted (the SDK ends the loop quietly)", async () => {
    const events = await newEvents(async () => {
      h.server.enqueue({ kind: "sse", events: cumulativeEvents(), cut: { after: 5, how: "stall" } });
      const controller = new AbortController();
      const stream = await client.messages.create(STREAM, { signal: controller.signal });
      let deltas = 0;
      for await (const ev of stream) {
        if (ev.type === "content_block_delta" && ++deltas === 2) controller.abort();
      }
    });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ status: "aborted", usageSource: "partial", errorType: "AbortError" });
    expect(events[0]!.usage.uncachedInputTokens).toBe(1000);
  });

  it("a connection reset mid-stream reaches the caller as the SDK's error and is recorded with partial usage", async () => {
    let caught: unknown;
    const events = await newEvents(async () => {
      h.server.enqueue({
        kind: "sse",
        events: cumulativeEvents(),
        gapMs: 3,
        cut: { after: 4, how: "reset" },
      });
      const stream = await client.messages.create(STREAM);
      try {
        for await (const _ of stream) void _;
      } catch (err) {
        caught = err;
      }
    });
    expect(caught).toBeDefined();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ status: "error", usageSource: "partial" });
    expect(events[0]!.usage.uncachedInputTokens).toBe(1000);
  });

  it("an `error` event mid-stream (overloaded) is recorded as an error with partial usage", async () => {
    const base = cumulativeEvents().slice(0, 4);
    let caught: unknown;
    const events = await newEvents(async () => {
      h.server.enqueue({
        kind: "sse",
        events: [...base, { event: "error", data: errorBody("overloaded_error", "Overloaded") }],
      });
      const stream = await client.messages.create(STREAM);
      try {
        for await (const _ of stream) void _;
      } catch (err) {
        caught = err;
      }
    });
    expect(caught).toBeInstanceOf(Anthropic.APIError);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ status: "error", errorType: "APIError", usageSource: "partial" });
  });

  it("a 429 on a streaming call still rejects at `await create()`, not at the first iteration", async () => {
    const events = await newEvents(async () => {
      h.server.enqueue({
        kind: "json",
        status: 429,
        body: errorBody("rate_limit_error", "slow down"),
        headers: { "x-should-retry": "false" },
      });
      await expect(client.messages.create(STREAM)).rejects.toBeInstanceOf(Anthropic.RateLimitError);
    });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ status: "error", httpStatus: 429, streamed: true });
  });

  it("a stream that ends without message_stop is kept as ok with usage marked partial", async () => {
    const events = await newEvents(async () => {
      h.server.enqueue({ kind: "sse", events: cumulativeEvents().slice(0, 6) });
      const stream = await client.messages.create(STREAM);
      for await (const _ of stream) void _;
    });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ status: "ok", usageSource: "partial" });
  });

  it("garbage events pass through to the caller untouched and never break the loop", async () => {
    const good = cumulativeEvents();
    const garbage: SseEvent[] = [
      { event: "message_delta", data: { type: "message_delta", usage: "not an object" } },
      { event: "message_start", data: { type: "message_start", message: null } },
      { event: "content_block_delta", data: [1, 2, 3] },
      { event: "message_delta", data: { type: "message_delta", delta: {}, usage: null } },
    ];
    const received: unknown[] = [];
    const events = await newEvents(async () => {
      h.server.enqueue({ kind: "sse", events: [...good.slice(0, 3), ...garbage, ...good.slice(3)] });
      const stream = await client.messages.create(STREAM);
      for await (const ev of stream) received.push(ev);
    });
    expect(received).toContainEqual([1, 2, 3]);
    expect(received).toContainEqual({ type: "message_delta", usage: "not an object" });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      status: "ok",
      usage: expect.objectContaining({ uncachedInputTokens: 1000, outputTokens: 300 }),
    });
    expect(h.internalErrors).toEqual([]);
  });

  it("asResponse() on a streaming call leaves the raw event stream to the caller (recorded, usage missing)", async () => {
    let body = "";
    const events = await newEvents(async () => {
      h.server.enqueue({ kind: "sse", events: cumulativeEvents(), headers: { "request-id": "req_raw_sse" } });
      const response = await client.messages.create(STREAM).asResponse();
      body = await response.text();
    });
    expect(body).toContain("event: message_start");
    expect(body).toContain("event: message_stop");
    expect(events).toHaveLength(1);
    // Raw SSE readers are not parsed for usage: recorded as a call with usage `missing`, never as zero cost.
    expect(events[0]).toMatchObject({
      status: "ok",
      usageSource: "missing",
      requestId: "req_raw_sse",
      costUsd: null,
    });
  });

  it("does not mutate deep-frozen streaming params", async () => {
    const params = deepFreeze({ ...STREAM, messages: [{ role: "user" as const, content: "frozen" }] });
    const events = await newEvents(async () => {
      h.server.enqueue({ kind: "sse", events: cumulativeEvents() });
      const stream = await client.messages.create(params);
      for await (const _ of stream) void _;
    });
    expect(events).toHaveLength(1);
  });
});
