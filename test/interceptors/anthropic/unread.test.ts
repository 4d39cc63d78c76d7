import Anthropic from "@anthropic-ai/sdk";
import * as sdk from "@anthropic-ai/sdk";
import type { LedgerEvent } from "tokenledger";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { messageEvents, sleep } from "../../helpers/anthropic-server.js";
import { BASE_PARAMS, createHarness, type Harness } from "./harness.js";

// A streamed Messages call whose stream the application never reads is still billed: it is recorded once,
// when it is aborted (here), released or the process exits (see test/interceptors/openai/unread-exit.test.ts).
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

async function newEvents(fn: () => Promise<void>): Promise<LedgerEvent[]> {
  const before = (await h.events()).length;
  await fn();
  await h.waitFor(before + 1);
  await sleep(30);
  return (await h.events()).slice(before);
}

describe("messages.create({ stream: true }) never read", () => {
  it("aborted before any read: exactly one aborted event, usage missing, flagged streamUnread", async () => {
    const events = await newEvents(async () => {
      h.server.enqueue({
        kind: "sse",
        events: messageEvents({
          start: { input_tokens: 10, output_tokens: 1 },
          deltas: [{ output_tokens: 5 }],
        }),
        cut: { after: 1, how: "stall" },
      });
      const controller = new AbortController();
      await client.messages.create(STREAM, { signal: controller.signal });
      controller.abort();
    });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      status: "aborted",
      usageSource: "missing",
      streamed: true,
      metadata: { streamUnread: "aborted" },
    });
  });

  it("read to the end: one ok event, no unread flag", async () => {
    const events = await newEvents(async () => {
      h.server.enqueue({
        kind: "sse",
        events: messageEvents({
          start: { input_tokens: 10, output_tokens: 1 },
          deltas: [{ output_tokens: 5 }],
        }),
      });
      const controller = new AbortController();
      const stream = await client.messages.create(STREAM, { signal: controller.signal });
      for await (const _ of stream) void _;
      controller.abort();
    });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ status: "ok", usageSource: "provider" });
    expect(events[0]!.metadata).toBeNull();
  });

  it("create() never awaited, its signal aborted: exactly one aborted event, flagged streamUnread", async () => {
    const events = await newEvents(async () => {
      h.server.enqueue({
        kind: "sse",
        events: messageEvents({ start: { input_tokens: 10, output_tokens: 1 }, deltas: [] }),
        cut: { after: 1, how: "stall" },
      });
      const controller = new AbortController();
      void client.messages.create(STREAM, { signal: controller.signal });
      await sleep(50);
      controller.abort();
    });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      status: "aborted",
      usageSource: "missing",
      metadata: { streamUnread: "aborted" },
    });
  });
});
