/**
 * `messages.create` without streaming, `parse()`, `beta.messages`, errors and retries, through the real SDK
 * against a local server. Costs are checked against hand-computed figures at the test rate card
 * (Sonnet 4.6 list prices: $3 in, $0.30 cache read, $3.75 5m write, $6 1h write, $15 out per million; $0.01 per web search).
 */
import Anthropic, { APIPromise } from "@anthropic-ai/sdk";
import * as sdk from "@anthropic-ai/sdk";
import type { LedgerEvent } from "tokenledger";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { errorBody, message } from "../../helpers/anthropic-server.js";
import { BASE_PARAMS, createHarness, deepFreeze, SONNET_MODEL, type Harness } from "./harness.js";

let h: Harness;
let client: Anthropic;

beforeAll(async () => {
  h = await createHarness();
  h.patch(sdk);
  client = new Anthropic({ apiKey: "sk-ant-test-key-000000000000", baseURL: h.server.url, maxRetries: 0 });
});
afterAll(() => h.close());
beforeEach(() => h.server.reset());

async function only(): Promise<LedgerEvent> {
  const events = await h.events();
  return events[events.length - 1]!;
}

describe("messages.create (not streamed)", () => {
  it("records the disjoint buckets, the answered model, the request id and the exact cost (5m/1h split)", async () => {
    const before = (await h.events()).length;
    h.server.enqueue({
      kind: "json",
      body: message({
        usage: {
          input_tokens: 1000,
          cache_read_input_tokens: 5000,
          cache_creation_input_tokens: 2000,
          cache_creation: { ephemeral_5m_input_tokens: 1500, ephemeral_1h_input_tokens: 500 },
          output_tokens: 300,
        },
      }),
      headers: { "request-id": "req_011CabcDEF" },
    });
    const msg = await client.messages.create(BASE_PARAMS);
    expect(msg.usage.input_tokens).toBe(1000);

    const events = await h.events();
    expect(events.length).toBe(before + 1);
    const e = events[before]!;
    expect(e).toMatchObject({
      provider: "anthropic",
      model: SONNET_MODEL,
      requestedModel: "claude-sonnet-4-6",
      operation: "messages",
      streamed: false,
      status: "ok",
      requestId: "req_011CabcDEF",
      usageSource: "provider",
      serviceTier: "standard",
      timeToFirstTokenMs: null,
    });
    expect(e.usage).toMatchObject({
      uncachedInputTokens: 1000, // input_tokens excludes cache: never subtract
      cacheReadTokens: 5000,
      cacheWrite5mTokens: 1500,
      cacheWrite1hTokens: 500,
      outputTokens: 300,
      reasoningTokens: 0,
      tierBasisTokens: 8000,
    });
    // (1000×3 + 5000×0.30 + 1500×3.75 + 500×6 + 300×15) / 1M = (3000 + 1500 + 5625 + 3000 + 4500) / 1M
    expect(e.costUsd).toBe("0.017625");
    expect(e.latencyMs).toBeGreaterThan(0);
  });

  it("bills every cache write at the 5-minute rate when the API sends no TTL split", async () => {
    h.server.enqueue({
      kind: "json",
      body: message({
        usage: {
          input_tokens: 1000,
          cache_read_input_tokens: 5000,
          cache_creation_input_tokens: 2000,
          cache_creation: null,
          output_tokens: 300,
        },
      }),
    });
    await client.messages.create(BASE_PARAMS);
    const e = await only();
    expect(e.usage.cacheWrite5mTokens).toBe(2000);
    expect(e.usage.cacheWrite1hTokens).toBe(0);
    expect(e.costUsd).toBe("0.0165"); // reference worked example B.5.1
  });

  it("keeps thinking inside output (never added on top) and bills web searches", async () => {
    h.server.enqueue({
      kind: "json",
      body: message({
        usage: {
          input_tokens: 2000,
          output_tokens: 1200,
          output_tokens_details: { thinking_tokens: 800 },
          server_tool_use: { web_search_requests: 3, web_fetch_requests: 0 },
        },
      }),
    });
    await client.messages.create(BASE_PARAMS);
    const e = await only();
    expect(e.usage).toMatchObject({ outputTokens: 1200, reasoningTokens: 800, webSearchRequests: 3 });
    // 2000×3/1M = 0.006; 1200×15/1M = 0.018; 3 × $0.01 = 0.03
    expect(e.costUsd).toBe("0.054");
  });

  it("stores an unknown model as unpriced (cost null), never as 0", async () => {
    h.server.enqueue({
      kind: "json",
      body: message({ model: "claude-unreleased-9", usage: { input_tokens: 5, output_tokens: 5 } }),
    });
    await client.messages.create({ ...BASE_PARAMS, model: "claude-unreleased-9" });
    const e = await only();
    expect(e.model).toBe("claude-unreleased-9");
    expect(e.costUsd).toBeNull();
    expect(e.unpriced).toBe(true);
  });

  it("returns the SDK's own APIPromise: withResponse().data is the awaited object, _thenUnwrap still works", async () => {
    const before = (await h.events()).length;
    h.server.enqueue({ kind: "json", body: message(), headers: { "request-id": "req_contract" } });
    const p = client.messages.create(BASE_PARAMS);
    expect(p).toBeInstanceOf(APIPromise);
    const data = await p;
    const wr = await p.withResponse();
    expect(wr.data).toBe(data);
    expect(wr.request_id).toBe("req_contract");
    expect(data._request_id).toBe("req_contract");

    h.server.enqueue({ kind: "json", body: message({ id: "msg_unwrap" }) });
    const id = await client.messages.create(BASE_PARAMS)._thenUnwrap((m) => m.id);
    expect(id).toBe("msg_unwrap");
    expect((await h.events()).length).toBe(before + 2);
  });

  it("does not read the body early: asResponse() callers can still read the raw body, and usage is recorded", async () => {
    const before = (await h.events()).length;
    h.server.enqueue({
      kind: "json",
      body: message({ usage: { input_tokens: 40, output_tokens: 2 } }),
      headers: { "request-id": "req_raw" },
    });
    const response = await client.messages.create(BASE_PARAMS).asResponse();
    expect(response.bodyUsed).toBe(false);
    const raw = JSON.parse(await response.text()) as { usage: { input_tokens: number } };
    expect(raw.usage.input_tokens).toBe(40);
    const events = await h.waitFor(before + 1);
    expect(events.length).toBe(before + 1);
    const e = events[before]!;
    expect(e.requestId).toBe("req_raw");
    expect(e.usage).toMatchObject({ uncachedInputTokens: 40, outputTokens: 2 });
  });

  it("never mutates the caller's params (deep-frozen)", async () => {
    const params = deepFreeze({
      ...BASE_PARAMS,
      messages: [{ role: "user" as const, content: "frozen" }],
      metadata: { user_id: "u1" },
    });
    const snapshot = JSON.stringify(params);
    await client.messages.create(params);
    expect(JSON.stringify(params)).toBe(snapshot);
    expect(h.server.requests[0]!.body.messages).toEqual([{ role: "user", content: "frozen" }]);
  });

  it("an error the SDK throws synchronously reaches the caller as the same object and is recorded", async () => {
    const before = (await h.events()).length;
    let thrown: unknown;
    try {
      void client.messages.create(undefined as never);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(TypeError);
    const events = await h.events();
    expect(events).toHaveLength(before + 1);
    expect(events[before]).toMatchObject({ status: "error", errorType: "TypeError", requestedModel: null });
  });

  it("does not record countTokens (not billed)", async () => {
    const before = (await h.events()).length;
    h.server.enqueue({ kind: "json", body: { input_tokens: 14 } });
    const counted = await client.messages.countTokens({
      model: BASE_PARAMS.model,
      messages: BASE_PARAMS.messages,
    });
    expect(counted.input_tokens).toBe(14);
    expect((await h.events()).length).toBe(before);
  });
});

describe("parse() and beta.messages", () => {
  it("messages.parse() is recorded once, through create", async () => {
    const before = (await h.events()).length;
    h.server.enqueue({
      kind: "json",
      body: message({ text: '{"answer":4}', usage: { input_tokens: 30, output_tokens: 6 } }),
    });
    const parsed = await client.messages.parse({
      ...BASE_PARAMS,
      output_config: {
        format: {
          type: "json_schema",
          schema: { type: "object", properties: { answer: { type: "number" } } },
        },
      },
    });
    expect(parsed.parsed_output).toEqual({ answer: 4 });
    const events = await h.events();
    expect(events.length).toBe(before + 1);
    expect(events[before]!.usage.outputTokens).toBe(6);
  });

  it("beta.messages.create and beta.messages.parse are recorded once each", async () => {
    const before = (await h.events()).length;
    h.server.enqueue({ kind: "json", body: message({ usage: { input_tokens: 11, output_tokens: 1 } }) });
    await client.beta.messages.create({ ...BASE_PARAMS, betas: ["context-1m-2025-08-07"] });
    h.server.enqueue({
      kind: "json",
      body: message({ text: '{"ok":true}', usage: { input_tokens: 12, output_tokens: 2 } }),
    });
    const parsed = await client.beta.messages.parse({
      ...BASE_PARAMS,
      output_config: {
        format: { type: "json_schema", schema: { type: "object", properties: { ok: { type: "boolean" } } } },
      },
    });
    expect(parsed.parsed_output).toEqual({ ok: true });
    const events = (await h.events()).slice(before);
    expect(events.map((e) => e.usage.uncachedInputTokens)).toEqual([11, 12]);
    expect(h.server.requests[0]!.headers["anthropic-beta"]).toContain("context-1m-2025-08-07");
  });
});

describe("errors and retries", () => {
  it("a 429 rejects with the SDK's RateLimitError and is recorded once, with status and request id, no tokens", async () => {
    const before = (await h.events()).length;
    h.server.enqueue({
      kind: "json",
      status: 429,
      body: errorBody("rate_limit_error", "Number of requests has exceeded your rate limit"),
      headers: { "request-id": "req_429", "x-should-retry": "false" },
    });
    const err = await client.messages.create(BASE_PARAMS).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
    const events = await h.events();
    expect(events.length).toBe(before + 1);
    expect(events[before]).toMatchObject({
      status: "error",
      httpStatus: 429,
      errorType: "RateLimitError",
      requestId: "req_429",
      usageSource: "provider",
    });
    expect(events[before]!.usage.outputTokens).toBe(0);
  });

  it("a 500 with maxRetries: 0 is one error event", async () => {
    const before = (await h.events()).length;
    h.server.enqueue({ kind: "json", status: 500, body: errorBody("api_error", "Internal server error") });
    await expect(client.messages.create(BASE_PARAMS)).rejects.toBeInstanceOf(Anthropic.InternalServerError);
    const events = await h.events();
    expect(events.length).toBe(before + 1);
    expect(events[before]).toMatchObject({
      status: "error",
      httpStatus: 500,
      errorType: "InternalServerError",
    });
  });

  it("SDK retries stay inside one logical call: 500, 529, then 200 is ONE ok event (latency includes the retries)", async () => {
    const retrying = new Anthropic({
      apiKey: "sk-ant-test-key-000000000000",
      baseURL: h.server.url,
      maxRetries: 2,
    });
    const before = (await h.events()).length;
    h.server.enqueue(
      { kind: "json", status: 500, body: errorBody("api_error", "boom"), headers: { "retry-after-ms": "1" } },
      {
        kind: "json",
        status: 529,
        body: errorBody("overloaded_error", "Overloaded"),
        headers: { "retry-after-ms": "1" },
      },
      { kind: "json", body: message({ usage: { input_tokens: 7, output_tokens: 3 } }) },
    );
    await retrying.messages.create(BASE_PARAMS);
    expect(h.server.requests.length).toBe(3);
    const events = (await h.events()).slice(before);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      status: "ok",
      usage: expect.objectContaining({ uncachedInputTokens: 7, outputTokens: 3 }),
    });
  });

  it("an abort before the answer rejects with APIUserAbortError and is recorded as aborted", async () => {
    const before = (await h.events()).length;
    h.server.enqueue({ kind: "hang" });
    const controller = new AbortController();
    const p = client.messages.create(BASE_PARAMS, { signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    await expect(p).rejects.toBeInstanceOf(Anthropic.APIUserAbortError);
    const events = await h.events();
    expect(events.length).toBe(before + 1);
    expect(events[before]).toMatchObject({ status: "aborted", usageSource: "missing" });
  });
});
