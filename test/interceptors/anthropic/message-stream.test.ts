/**
 * `messages.stream()` and `beta.messages.stream()`: the SDK's MessageStream calls `create(...).withResponse()`
 * internally, so the patched `create` must keep returning an APIPromise, and each helper stream is recorded once.
 */
import Anthropic from "@anthropic-ai/sdk";
import * as sdk from "@anthropic-ai/sdk";
import type { LedgerEvent } from "tokenledger";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { messageEvents, sleep } from "../../helpers/anthropic-server.js";
import { BASE_PARAMS, createHarness, type Harness } from "./harness.js";

let h: Harness;
let client: Anthropic;

beforeAll(async () => {
  h = await createHarness();
  h.patch(sdk);
  client = new Anthropic({ apiKey: "sk-ant-test-key-000000000000", baseURL: h.server.url, maxRetries: 0 });
});
afterAll(() => h.close());
beforeEach(() => h.server.reset());

const events = () =>
  messageEvents({
    start: { input_tokens: 400, cache_read_input_tokens: 100, output_tokens: 1 },
    deltas: [{ output_tokens: 20 }, { output_tokens: 50, output_tokens_details: { thinking_tokens: 30 } }],
    text: ["The ", "answer ", "is 4."],
  });

async function recorded(fn: () => Promise<void>): Promise<LedgerEvent[]> {
  const before = (await h.events()).length;
  await fn();
  await h.waitFor(before + 1);
  await sleep(20);
  return (await h.events()).slice(before);
}

describe("messages.stream()", () => {
  it("finalMessage() usage and the recorded usage agree; one request, one event", async () => {
    let finalUsage: Anthropic.Usage | undefined;
    const got = await recorded(async () => {
      h.server.enqueue({ kind: "sse", events: events() });
      const final = await client.messages.stream(BASE_PARAMS).finalMessage();
      finalUsage = final.usage;
    });
    expect(h.server.requests).toHaveLength(1);
    expect(got).toHaveLength(1);
    expect(finalUsage).toMatchObject({ input_tokens: 400, cache_read_input_tokens: 100, output_tokens: 50 });
    expect(got[0]!.usage).toMatchObject({
      uncachedInputTokens: 400,
      cacheReadTokens: 100,
      outputTokens: 50,
      reasoningTokens: 30,
    });
    expect(got[0]).toMatchObject({ streamed: true, status: "ok" });
    // 400×3 + 100×0.30 + 50×15 = 1200 + 30 + 750 = 1980 per million
    expect(got[0]!.costUsd).toBe("0.00198");
  });

  it("on('text') listeners and async iteration of the MessageStream still get every event", async () => {
    const got = await recorded(async () => {
      h.server.enqueue({ kind: "sse", events: events() });
      const stream = client.messages.stream(BASE_PARAMS);
      let text = "";
      stream.on("text", (delta) => (text += delta));
      const types: string[] = [];
      for await (const ev of stream) types.push(ev.type);
      expect(text).toBe("The answer is 4.");
      expect(types.at(-1)).toBe("message_stop");
    });
    expect(got).toHaveLength(1);
  });

  it("withResponse() on the helper returns the request id", async () => {
    const got = await recorded(async () => {
      h.server.enqueue({ kind: "sse", events: events(), headers: { "request-id": "req_helper" } });
      const stream = client.messages.stream(BASE_PARAMS);
      const { request_id } = await stream.withResponse();
      expect(request_id).toBe("req_helper");
      await stream.done();
    });
    expect(got).toHaveLength(1);
    expect(got[0]!.requestId).toBe("req_helper");
  });

  it("stream.abort() is recorded once as aborted with the partial usage", async () => {
    const got = await recorded(async () => {
      h.server.enqueue({ kind: "sse", events: events(), cut: { after: 5, how: "stall" } });
      const stream = client.messages.stream(BASE_PARAMS);
      stream.on("text", () => stream.abort());
      await expect(stream.done()).rejects.toBeInstanceOf(Anthropic.APIUserAbortError);
    });
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ status: "aborted", usageSource: "partial" });
    expect(got[0]!.usage.uncachedInputTokens).toBe(400);
  });

  it("a break out of the helper's iteration is recorded once", async () => {
    const got = await recorded(async () => {
      h.server.enqueue({ kind: "sse", events: events(), gapMs: 2 });
      const stream = client.messages.stream(BASE_PARAMS);
      for await (const ev of stream) if (ev.type === "content_block_delta") break;
    });
    expect(got).toHaveLength(1);
    expect(got[0]!.status).toBe("aborted");
  });

  it("beta.messages.stream() is recorded once", async () => {
    const got = await recorded(async () => {
      h.server.enqueue({ kind: "sse", events: events() });
      const final = await client.beta.messages
        .stream({ ...BASE_PARAMS, betas: ["interleaved-thinking-2025-05-14"] })
        .finalMessage();
      expect(final.usage.output_tokens).toBe(50);
    });
    expect(h.server.requests).toHaveLength(1);
    expect(got).toHaveLength(1);
    expect(got[0]!.usage.outputTokens).toBe(50);
  });
});
