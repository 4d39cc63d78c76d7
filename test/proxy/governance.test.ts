import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BudgetGuard, parseBudget } from "tokenledger";
import { sqliteStorage, type SqliteStorage } from "tokenledger/sqlite";
import { startAnthropicServer, type AnthropicServer } from "../helpers/anthropic-server.js";
import { startOpenAIServer, type OpenAIFakeServer } from "../helpers/openai-server.js";
import { captureTracker } from "../helpers/capture.js";
import { createProxy, mountProxy } from "../../src/proxy/index.js";
import { admit } from "../../src/proxy/governance.js";
import { eventsWhen, startHarness, type Harness } from "./harness.js";

const dir = mkdtempSync(join(tmpdir(), "tl-proxy-gov-"));
let anthropic: AnthropicServer;
let openai: OpenAIFakeServer;
let storage: SqliteStorage;
let guard: BudgetGuard;
let h: Harness;

beforeAll(async () => {
  anthropic = await startAnthropicServer();
  openai = await startOpenAIServer();
  storage = sqliteStorage({ path: join(dir, "ledger.db") });
  await storage.init();
  // A budget far below one call's estimate: team "capped" is refused before anything is sent.
  await storage.budgets.put(
    parseBudget({ id: "capped-day", scope: "team", scopeId: "capped", period: "day", amountUsd: "0.000001" }),
  );
  // Team "thrifty" is over its downgrade budget: its calls go with the mapped, cheaper model.
  await storage.budgets.put(
    parseBudget({
      id: "thrifty-day",
      scope: "team",
      scopeId: "thrifty",
      period: "day",
      amountUsd: "0.000001",
      action: "downgrade",
      downgradeMap: { "claude-sonnet-4-6": "claude-haiku-4-5", "gpt-4o": "claude-haiku-4-5" },
    }),
  );
  guard = new BudgetGuard({ store: storage.budgets });
  h = await startHarness({ upstreams: { anthropic: anthropic.url, openai: openai.url }, gate: guard });
});
afterAll(async () => {
  await h.close();
  await guard.idle();
  await storage.close();
  await anthropic.close();
  await openai.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("budgets in the proxy path", () => {
  it("a blocked call answers 429 with Retry-After in Anthropic's error shape, sends nothing upstream, and is recorded", async () => {
    const client = new Anthropic({
      apiKey: "sk-ant-gov-test-00000000",
      baseURL: h.proxy.url,
      maxRetries: 0,
      defaultHeaders: { "x-tokenledger-team": "capped" },
    });
    const res = await client.messages
      .create({ model: "claude-sonnet-4-6", max_tokens: 100, messages: [{ role: "user", content: "x" }] })
      .withResponse()
      .catch((e: unknown) => e);
    expect(res).toBeInstanceOf(Anthropic.RateLimitError);
    const err = res as InstanceType<typeof Anthropic.RateLimitError>;
    expect(Number(err.headers?.get("retry-after"))).toBeGreaterThan(0);
    expect(err.error).toMatchObject({ type: "error", error: { type: "rate_limit_error" } });
    expect(anthropic.requests).toHaveLength(0);
    const [e] = await eventsWhen(h, 1);
    expect(e).toMatchObject({
      status: "error",
      errorType: "BudgetExceededError",
      httpStatus: 429,
      teamId: "capped",
    });
  });

  it("the same block in OpenAI's error shape; another team's call goes through", async () => {
    const capped = new OpenAI({
      apiKey: "sk-gov-test-0000000000",
      baseURL: `${h.proxy.url}/v1`,
      maxRetries: 0,
      defaultHeaders: { "x-tokenledger-team": "capped" },
    });
    const err = await capped.chat.completions
      .create({ model: "gpt-4o", messages: [{ role: "user", content: "x" }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect((err as InstanceType<typeof OpenAI.RateLimitError>).code).toBe("budget_exceeded");
    expect(openai.requests).toHaveLength(0);

    const free = new OpenAI({
      apiKey: "sk-gov-test-0000000000",
      baseURL: `${h.proxy.url}/v1`,
      maxRetries: 0,
      defaultHeaders: { "x-tokenledger-team": "other" },
    });
    await free.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "x" }] });
    expect(openai.requests).toHaveLength(1);
  });
});

describe("budget downgrade in the proxy path", () => {
  it("rewrites the body's model within the wire format and records requested and effective model", async () => {
    anthropic.requests.length = 0;
    const before = (await h.events()).length;
    const client = new Anthropic({
      apiKey: "sk-ant-gov-test-00000000",
      baseURL: h.proxy.url,
      maxRetries: 0,
      defaultHeaders: { "x-tokenledger-team": "thrifty" },
    });
    const msg = await client.messages.create({
      model: "claude-sonnet-4-6",
      max_tokens: 100,
      messages: [{ role: "user", content: "x" }],
    });
    expect(msg.model).toBe("claude-haiku-4-5");
    expect((anthropic.requests[0]!.body as { model: string }).model).toBe("claude-haiku-4-5");
    const e = (await eventsWhen(h, before + 1))[before]!;
    expect(e).toMatchObject({ status: "ok", requestedModel: "claude-sonnet-4-6", model: "claude-haiku-4-5" });
    expect(e.metadata).toMatchObject({
      budget_downgrade: { requested_model: "claude-sonnet-4-6", effective_model: "claude-haiku-4-5" },
    });
  });

  it("a downgrade into another wire format is not applied; the event says why", async () => {
    // A map may name a model of another API (the guard prices it under the route's provider; here a stub gate).
    const gate = {
      admit: async () => ({
        model: "claude-haiku-4-5",
        metadata: { budget_downgrade: { effective_model: "claude-haiku-4-5" } },
        finish: () => {},
      }),
    };
    const request = { provider: "openai", operation: "chat", model: "gpt-4o", body: {}, attribution: {} };
    const verdict = await admit(gate, "openai", request);
    expect(verdict).toMatchObject({ ok: true });
    expect(verdict.ok && verdict.model).toBeUndefined();
    expect(verdict.ok && verdict.admission?.metadata).toEqual({
      budget_downgrade_skipped: "claude-haiku-4-5 is not an openai model",
    });
    const same = await admit(gate, "anthropic", {
      ...request,
      provider: "anthropic",
      model: "claude-opus-4-1",
    });
    expect(same.ok && same.model).toBe("claude-haiku-4-5");
  });
});

describe("mounted in a Fastify app (tokenledger serve)", () => {
  it("serves /v1 routes through the proxy and leaves the app's own routes alone", async () => {
    const { tracker, flushed } = captureTracker();
    const proxy = createProxy({ sink: tracker, upstreams: { openai: openai.url } });
    const app = Fastify();
    app.get("/health", async () => ({ ok: true }));
    mountProxy(app, proxy);
    const address = await app.listen({ port: 0, host: "127.0.0.1" });
    try {
      const client = new OpenAI({
        apiKey: "sk-fastify-test-000000",
        baseURL: `${address}/v1`,
        maxRetries: 0,
      });
      const stream = await client.chat.completions.create({
        model: "gpt-4o",
        messages: [{ role: "user", content: "x" }],
        stream: true,
        stream_options: { include_usage: true },
      });
      for await (const _ of stream) void _;
      expect(await (await fetch(`${address}/health`)).json()).toEqual({ ok: true });
      let events = await flushed();
      for (let i = 0; i < 100 && events.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 10));
        events = await flushed();
      }
      expect(events[0]).toMatchObject({ operation: "chat", status: "ok", usageSource: "provider" });
      expect(events[0]!.usage.outputTokens).toBe(500);
    } finally {
      await app.close();
      await proxy.close();
      await tracker.shutdown();
    }
  });
});
