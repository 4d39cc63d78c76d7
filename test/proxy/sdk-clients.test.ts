import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startAnthropicServer, messageEvents, type AnthropicServer } from "../helpers/anthropic-server.js";
import { startOpenAIServer, type OpenAIFakeServer } from "../helpers/openai-server.js";
import { staticIdentities } from "../../src/proxy/index.js";
import { eventsWhen, startHarness, type Harness } from "./harness.js";

const ANTHROPIC_KEY = "sk-ant-api03-proxytestSECRETkey0000000000000000";
const OPENAI_KEY = "sk-proj-proxytestSECRETkey1111111111111111";

let anthropic: AnthropicServer;
let openai: OpenAIFakeServer;
let h: Harness;

beforeAll(async () => {
  anthropic = await startAnthropicServer();
  openai = await startOpenAIServer();
});
afterAll(async () => {
  await anthropic.close();
  await openai.close();
});
beforeEach(async (ctx) => {
  anthropic.reset();
  openai.requests.length = 0;
  await h?.close();
  h = await startHarness({
    upstreams: { anthropic: anthropic.url, openai: openai.baseURL },
    resolveIdentity: staticIdentities({ ci: { userId: "bot", teamId: "infra" } }),
  });
  ctx.onTestFinished(async () => {
    // No credential in any log line or stored row, whatever the test did.
    const stored = JSON.stringify(await h.events());
    for (const secret of [ANTHROPIC_KEY, OPENAI_KEY, "SECRETkey"]) {
      expect(stored).not.toContain(secret);
      expect(h.logs.join("\n")).not.toContain(secret);
    }
  });
});
afterAll(async () => h?.close());

describe("real @anthropic-ai/sdk through the proxy", () => {
  const client = (headers: Record<string, string> = {}) =>
    new Anthropic({ apiKey: ANTHROPIC_KEY, baseURL: h.proxy.url, defaultHeaders: headers, maxRetries: 0 });

  it("records a streamed message with the exact tokens and forwards credentials and anthropic-* unchanged", async () => {
    anthropic.enqueue({
      kind: "sse",
      events: messageEvents({
        model: "claude-sonnet-4-6",
        start: {
          input_tokens: 1200,
          output_tokens: 1,
          cache_read_input_tokens: 3000,
          cache_creation_input_tokens: 400,
        },
        deltas: [{ output_tokens: 40 }, { output_tokens: 87 }],
      }),
    });
    const stream = client({ "anthropic-beta": "claude-code-20250219,context-1m-2025-08-07" }).messages.stream(
      {
        model: "claude-sonnet-4-6",
        max_tokens: 100,
        system: "be brief",
        messages: [{ role: "user", content: "hi" }],
      },
    );
    const final = await stream.finalMessage();
    expect(final.usage.output_tokens).toBe(87);

    const up = anthropic.requests[0]!;
    // This SDK version sends the key as `Authorization: Bearer` (older ones as `x-api-key`): either way, unchanged.
    expect(up.headers.authorization ?? up.headers["x-api-key"]).toMatch(
      new RegExp(`^(Bearer )?${ANTHROPIC_KEY}$`),
    );
    expect(up.headers["anthropic-beta"]).toBe("claude-code-20250219,context-1m-2025-08-07");
    expect(up.headers["anthropic-version"]).toBeDefined();
    expect(up.body.system).toBe("be brief");

    const [e] = await eventsWhen(h, 1);
    expect(e).toMatchObject({
      provider: "anthropic",
      model: "claude-sonnet-4-6",
      operation: "messages",
      streamed: true,
      status: "ok",
      usageSource: "provider",
      app: "anthropic-sdk-js",
    });
    expect(e!.usage).toMatchObject({
      uncachedInputTokens: 1200,
      cacheReadTokens: 3000,
      cacheWrite5mTokens: 400,
      outputTokens: 87,
    });
    expect(e!.costUsd).not.toBeNull();
    expect(e!.requestId).toMatch(/^req_/);
    expect(e!.timeToFirstTokenMs).not.toBeNull();
  });

  it("records a non-streamed message; attribution headers are stripped and mapped; Claude Code session becomes sessionId", async () => {
    await client({
      "x-tokenledger-user": "alice",
      "x-tokenledger-project": "web",
      "x-tokenledger-tags": "a, b",
      "x-tokenledger-key": "ci",
      "X-Claude-Code-Session-Id": "sess-123",
      "x-claude-code-agent-id": "agent-7",
    }).messages.create({
      model: "claude-haiku-4-5",
      max_tokens: 33,
      messages: [{ role: "user", content: "x" }],
    });
    const up = anthropic.requests[0]!;
    expect(Object.keys(up.headers).filter((k) => k.startsWith("x-tokenledger"))).toEqual([]);
    expect(up.headers["x-claude-code-session-id"]).toBe("sess-123");
    const [e] = await eventsWhen(h, 1);
    expect(e).toMatchObject({
      userId: "alice",
      teamId: "infra",
      projectId: "web",
      sessionId: "sess-123",
      streamed: false,
      status: "ok",
    });
    expect(e!.usage.outputTokens).toBe(33);
    expect(e!.metadata).toMatchObject({
      tags: ["a", "b"],
      subagent: "agent-7",
      client: "anthropic-sdk-js",
      proxy: true,
    });
  });

  it("maps a /k/<key-id>/ path prefix to the key's identity; an unknown key is refused in Anthropic's error shape", async () => {
    const keyed = new Anthropic({ apiKey: ANTHROPIC_KEY, baseURL: `${h.proxy.url}/k/ci`, maxRetries: 0 });
    await keyed.messages.create({
      model: "claude-haiku-4-5",
      max_tokens: 5,
      messages: [{ role: "user", content: "x" }],
    });
    expect(anthropic.requests[0]!.path).toBe("/v1/messages");
    const [e] = await eventsWhen(h, 1);
    expect(e).toMatchObject({ userId: "bot", teamId: "infra" });

    const unknown = new Anthropic({ apiKey: ANTHROPIC_KEY, baseURL: `${h.proxy.url}/k/nope`, maxRetries: 0 });
    const err = await unknown.messages
      .create({ model: "claude-haiku-4-5", max_tokens: 5, messages: [{ role: "user", content: "x" }] })
      .catch((x: unknown) => x);
    expect(err).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(anthropic.requests).toHaveLength(1);
  });

  it("count_tokens and models pass through and are never recorded", async () => {
    anthropic.enqueue(
      { kind: "json", body: { input_tokens: 12 } },
      { kind: "json", body: { data: [], has_more: false } },
    );
    const c = client();
    const counted = await c.messages.countTokens({
      model: "claude-haiku-4-5",
      messages: [{ role: "user", content: "x" }],
    });
    expect(counted.input_tokens).toBe(12);
    await c.models.list();
    expect(anthropic.requests.map((r) => r.path.split("?")[0])).toEqual([
      "/v1/messages/count_tokens",
      "/v1/models",
    ]);
    await new Promise((r) => setTimeout(r, 50));
    expect(await h.events()).toEqual([]);
  });
});

describe("real openai SDK through the proxy", () => {
  const client = () => new OpenAI({ apiKey: OPENAI_KEY, baseURL: `${h.proxy.url}/v1`, maxRetries: 0 });

  it("chat stream with include_usage: exact tokens; Authorization forwarded unchanged", async () => {
    const stream = await client().chat.completions.create({
      model: "gpt-4o",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const _ of stream) void _;
    expect(openai.requests[0]!.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
    const [e] = await eventsWhen(h, 1);
    expect(e).toMatchObject({
      provider: "openai",
      operation: "chat",
      streamed: true,
      status: "ok",
      usageSource: "provider",
    });
    expect(e!.model).toBe("gpt-4o-2024-08-06");
    expect(e!.usage).toMatchObject({
      uncachedInputTokens: 2000,
      cacheReadTokens: 8000,
      outputTokens: 500,
      reasoningTokens: 200,
    });
  });

  it("chat stream without include_usage is recorded as usage_missing, and the request is not changed", async () => {
    const stream = await client().chat.completions.create({
      model: "gpt-4o",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
    });
    for await (const _ of stream) void _;
    expect(openai.requests[0]!.body.stream_options).toBeUndefined();
    const [e] = await eventsWhen(h, 1);
    expect(e).toMatchObject({ usageSource: "missing", status: "ok" });
    expect(e!.metadata).toMatchObject({ usage_missing: true });
  });

  it("chat stream with --inject-include-usage asks for usage and records it", async () => {
    await h.close();
    h = await startHarness({ upstreams: { openai: openai.url }, injectIncludeUsage: true });
    const stream = await client().chat.completions.create({
      model: "gpt-4o",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
    });
    for await (const _ of stream) void _;
    expect(openai.requests[0]!.body.stream_options).toEqual({ include_usage: true });
    const [e] = await eventsWhen(h, 1);
    expect(e).toMatchObject({ usageSource: "provider" });
    expect(e!.usage.outputTokens).toBe(500);
    expect(e!.metadata).toMatchObject({ include_usage_injected: true });
  });

  it("Responses stream (Codex's API) and embeddings record the exact tokens", async () => {
    const stream = await client().responses.create({ model: "gpt-5", input: "hi", stream: true });
    for await (const _ of stream) void _;
    await client().embeddings.create({ model: "text-embedding-3-small", input: ["a", "b"] });
    const events = await eventsWhen(h, 2);
    const byOp = Object.fromEntries(events.map((e) => [e.operation, e]));
    expect(byOp.responses).toMatchObject({ status: "ok", streamed: true, usageSource: "provider" });
    expect(byOp.responses!.usage).toMatchObject({
      uncachedInputTokens: 2000,
      cacheReadTokens: 8000,
      outputTokens: 500,
    });
    expect(byOp.embeddings).toMatchObject({ status: "ok", streamed: false });
    expect(byOp.embeddings!.usage.uncachedInputTokens).toBeGreaterThan(0);
  });

  it("an upstream 429 reaches the SDK as its RateLimitError and is recorded as an error row", async () => {
    const err = await client()
      .chat.completions.create({ model: "rate-limited", messages: [{ role: "user", content: "x" }] })
      .catch((x: unknown) => x);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const [e] = await eventsWhen(h, 1);
    expect(e).toMatchObject({ status: "error", httpStatus: 429, requestedModel: "rate-limited" });
  });
});
