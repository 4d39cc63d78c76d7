/**
 * What must hold whatever happens around the call: a broken tracker never reaches the caller, attribution
 * follows each call through 200 interleaved requests, patching is idempotent per SDK copy (CommonJS and ESM),
 * unpatching restores the originals, feature detection warns instead of skipping silently, and no secret is stored.
 */
import Anthropic from "@anthropic-ai/sdk";
import * as sdk from "@anthropic-ai/sdk";
import { withContext } from "tokenledger";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { anthropicInterceptor } from "../../../interceptors/anthropic/index.js";
import { isWrapped } from "../../../interceptors/_shared/wrap.js";
import { defaultReply, errorBody, messageEvents, sleep } from "../../helpers/anthropic-server.js";
import { BASE_PARAMS, createHarness, requireCjs, type Harness } from "./harness.js";

let h: Harness;
let client: Anthropic;

beforeAll(async () => {
  h = await createHarness();
  h.patch(sdk);
  client = new Anthropic({ apiKey: "sk-ant-test-key-000000000000", baseURL: h.server.url, maxRetries: 0 });
});
afterAll(() => h.close());
beforeEach(() => h.server.reset());

describe("a broken tracker never reaches the caller", () => {
  it("record() and reportInternalError() both throwing: results, streams and errors are unchanged", async () => {
    const boom = () => {
      throw new Error("tracker exploded");
    };
    h.setSink({ record: boom, reportInternalError: boom, reportAnomaly: boom });
    try {
      const msg = await client.messages.create(BASE_PARAMS);
      expect(msg.usage.output_tokens).toBe(256);

      const stream = await client.messages.create({ ...BASE_PARAMS, stream: true });
      const types: string[] = [];
      for await (const ev of stream) types.push(ev.type);
      expect(types.at(-1)).toBe("message_stop");

      const final = await client.messages.stream(BASE_PARAMS).finalMessage();
      expect(final.usage.output_tokens).toBe(256);

      h.server.enqueue({
        kind: "json",
        status: 429,
        body: errorBody("rate_limit_error", "slow"),
        headers: { "x-should-retry": "false" },
      });
      await expect(client.messages.create(BASE_PARAMS)).rejects.toBeInstanceOf(Anthropic.RateLimitError);

      const broken = await client.messages.create({ ...BASE_PARAMS, stream: true });
      for await (const ev of broken) if (ev.type === "content_block_delta") break;
    } finally {
      h.restoreSink();
    }
  });

  it("with tracking off (no sink) the SDK runs untouched and nothing is recorded", async () => {
    const before = (await h.events()).length;
    h.setSink(undefined);
    try {
      const msg = await client.messages.create(BASE_PARAMS);
      expect(msg.type).toBe("message");
    } finally {
      h.restoreSink();
    }
    expect((await h.events()).length).toBe(before);
  });
});

describe("attribution and malformed usage", () => {
  it("200 interleaved calls (streamed and not) under different withContext scopes are each attributed correctly", async () => {
    const before = (await h.events()).length;
    h.server.fallback = (req) => {
      const reply = defaultReply(req);
      const wait = Math.floor(Math.random() * 8);
      return reply.kind === "sse" ? { ...reply, gapMs: wait % 3 } : { ...reply, delayMs: wait };
    };
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        withContext({ userId: `u${i}`, feature: i % 2 ? "chat" : "search" }, async () => {
          await sleep(i % 5);
          if (i % 2) {
            const stream = await client.messages.create({ ...BASE_PARAMS, max_tokens: i + 1, stream: true });
            for await (const _ of stream) void _;
          } else {
            await client.messages.create({ ...BASE_PARAMS, max_tokens: i + 1 });
          }
        }),
      ),
    );
    const stored = (await h.waitFor(before + 200)).slice(before);
    expect(stored).toHaveLength(200);
    // The server answers output_tokens = max_tokens = i + 1, which identifies each call.
    expect(new Set(stored.map((e) => e.usage.outputTokens)).size).toBe(200);
    for (const e of stored) {
      const i = e.usage.outputTokens - 1;
      expect(e.userId).toBe(`u${i}`);
      expect(e.feature).toBe(i % 2 ? "chat" : "search");
      expect(e.streamed).toBe(i % 2 === 1);
    }
  });

  it("a malformed usage object is stored as invalid (unpriced), and the caller still gets the answer", async () => {
    const before = (await h.events()).length;
    h.server.enqueue({
      kind: "json",
      body: {
        id: "msg_x",
        type: "message",
        role: "assistant",
        model: "claude-sonnet-4-6",
        content: [],
        usage: { input_tokens: "many", output_tokens: -4 },
      },
    });
    const msg = await client.messages.create(BASE_PARAMS);
    expect(msg.usage).toEqual({ input_tokens: "many", output_tokens: -4 });
    const stored = await h.events();
    expect(stored).toHaveLength(before + 1);
    expect(stored[before]).toMatchObject({ usageSource: "invalid", costUsd: null });
  });
});

describe("patching", () => {
  it("patching the same module twice wraps once and records once", async () => {
    const again = anthropicInterceptor.patchModule(sdk, h.env);
    expect(again?.size).toBe(0);
    expect(isWrapped(Anthropic.Messages.prototype.create)).toBe(true);
  });

  it("the CommonJS and ESM copies are separate classes, each patched once, each call recorded once", async () => {
    const h4 = await createHarness();
    try {
      const cjs = requireCjs("@anthropic-ai/sdk") as typeof sdk;
      expect(cjs.Anthropic).not.toBe(sdk.Anthropic);
      expect(h4.patch(cjs)?.size).toBe(2);
      expect(h4.patch(cjs)?.size).toBe(0);
      const cjsClient = new cjs.Anthropic({
        apiKey: "sk-ant-test-key-000000000000",
        baseURL: h4.server.url,
        maxRetries: 0,
      });
      await cjsClient.messages.create(BASE_PARAMS);
      const stream = await cjsClient.messages.create({ ...BASE_PARAMS, stream: true });
      for await (const _ of stream) void _;
      const stored = await h4.waitFor(2);
      expect(stored).toHaveLength(2);
    } finally {
      await h4.close();
    }
  });

  it("restore() puts the original methods back and later calls are not recorded", async () => {
    const h5 = await createHarness();
    try {
      const v0 = requireCjs("anthropic-v0") as typeof sdk;
      const original = v0.Anthropic.Messages.prototype.create;
      const originalBeta = v0.Anthropic.Beta.Messages.prototype.create;
      const set = h5.patch(v0)!;
      expect(v0.Anthropic.Messages.prototype.create).not.toBe(original);
      set.restore();
      expect(v0.Anthropic.Messages.prototype.create).toBe(original);
      expect(v0.Anthropic.Beta.Messages.prototype.create).toBe(originalBeta);
      const c = new v0.Anthropic({
        apiKey: "sk-ant-test-key-000000000000",
        baseURL: h5.server.url,
        maxRetries: 0,
      });
      await c.messages.create(BASE_PARAMS);
      await sleep(10);
      expect(await h5.events()).toHaveLength(0);
    } finally {
      await h5.close();
    }
  });

  it("instrumentClient() accepts a client instance and refuses other SDKs' objects", () => {
    const other = { chat: { completions: { create: () => undefined } } };
    expect(anthropicInterceptor.instrumentClient!(other, h.env)).toBeUndefined();
    expect(anthropicInterceptor.patchModule({ foo: 1 }, h.env)).toBeUndefined();
    expect(anthropicInterceptor.instrumentClient!(client, h.env)).toBeDefined();
  });

  it("warns once per missing target on an SDK shape it does not know, instead of skipping silently", () => {
    const before = h.warnings.length;
    const set = anthropicInterceptor.patchModule({ Anthropic: class Anthropic {} }, h.env);
    expect(set?.size).toBe(0);
    expect(h.warnings.slice(before)).toEqual([
      expect.stringContaining("no messages.create"),
      expect.stringContaining("no beta.messages.create"),
    ]);
  });

  it("clients built like AnthropicBedrock / AnthropicVertex reuse the patched Messages class and are labelled", async () => {
    // The real @anthropic-ai/bedrock-sdk and vertex-sdk (not installed here) build `new Messages(this)` from this
    // package, so the prototype patch covers them; the provider label comes from the client class name.
    class AnthropicBedrock extends Anthropic {}
    const before = (await h.events()).length;
    const bedrock = new AnthropicBedrock({
      apiKey: "sk-ant-test-key-000000000000",
      baseURL: h.server.url,
      maxRetries: 0,
    });
    expect(bedrock.messages).toBeInstanceOf(Anthropic.Messages);
    await bedrock.messages.create(BASE_PARAMS);
    const stored = await h.events();
    expect(stored[before]!.provider).toBe("bedrock");
  });
});

describe("secrets", () => {
  it("an API key canary in apiKey, headers and an echoed error body never appears in any stored field", async () => {
    const before = (await h.events()).length;
    const key = "sk-ant-api03-CANARYcanaryCANARY0123456789";
    const secretClient = new Anthropic({
      apiKey: key,
      baseURL: h.server.url,
      maxRetries: 0,
      defaultHeaders: { "x-internal-token": "CANARY-header-9f8e7d" },
    });
    await secretClient.messages.create(BASE_PARAMS);
    h.server.enqueue({
      kind: "json",
      status: 401,
      body: errorBody("authentication_error", `invalid x-api-key: ${key}`),
    });
    await expect(secretClient.messages.create(BASE_PARAMS)).rejects.toBeInstanceOf(
      Anthropic.AuthenticationError,
    );
    h.server.enqueue({
      kind: "sse",
      events: messageEvents({ start: { input_tokens: 1 }, deltas: [{ output_tokens: 2 }] }),
    });
    const stream = await secretClient.messages.create({ ...BASE_PARAMS, stream: true });
    for await (const _ of stream) void _;
    // The key did travel (1.x sends it as a Bearer token, 0.x as x-api-key): only storage must not hold it.
    expect(JSON.stringify(h.server.requests[0]!.headers)).toContain(key);

    const stored = (await h.waitFor(before + 3)).slice(before);
    expect(stored).toHaveLength(3);
    expect(stored[1]!.errorMessage).toContain("authentication_error");
    const dump = JSON.stringify(stored);
    expect(dump).not.toMatch(/CANARY/i);
  });
});
