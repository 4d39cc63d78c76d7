import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import type { LedgerEvent } from "tokenledger";
import { AnthropicServer } from "../helpers/anthropic-server.js";
import { startOpenAIServer, type OpenAIFakeServer } from "../helpers/openai-server.js";
import { scriptedClaude, TOO_LONG_REQUEST_ID, type BilledCall } from "../agents-real/claude-upstream.js";
import { gunzipBody, readProxiedFixture, type ProxiedSessionFixture } from "../agents-real/fixtures.js";
import { eventsWhen, startHarness, until, type Harness } from "./harness.js";

/*
 * Requests real Claude Code 2.1.197 and Codex 0.171.0 sent through the proxy (recorded by `npm run test:agents`
 * with TOKENLEDGER_RECORD_AGENT_FIXTURES=1), replayed byte for byte through the proxy against the same fake
 * upstream scripts.
 */

const KEY = "sk-test-replay-credential-0123456789";
// Set by the transport, or by the recorded run's own proxy address.
const NOT_REPLAYED = new Set(["host", "connection", "content-length", "transfer-encoding", "keep-alive"]);

type Sent = ProxiedSessionFixture["requests"][number];

async function replay(h: Harness, sent: Sent): Promise<number> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(sent.headers)) {
    if (NOT_REPLAYED.has(k)) continue;
    headers[k] = v === "[redacted]" ? (k === "authorization" ? `Bearer ${KEY}` : KEY) : v;
  }
  const body = gunzipBody(sent.bodyGzipBase64);
  const res = await request(`${h.proxy.url}${sent.url}`, {
    method: sent.method as "GET",
    headers,
    body: sent.method === "GET" || sent.method === "HEAD" ? undefined : body,
  });
  await res.body.arrayBuffer();
  return res.statusCode;
}

function noCredentials(h: Harness, rows: readonly LedgerEvent[]): void {
  expect(JSON.stringify(rows)).not.toContain(KEY);
  expect(h.logs.join("\n")).not.toContain(KEY);
}

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

describe("replayed Claude Code session (proxy + OTLP exports on the same port)", () => {
  const fixture = readProxiedFixture("claude-code-proxy.json");

  async function start(): Promise<{ h: Harness; billed: BilledCall[]; refuse: { next: boolean } }> {
    const upstream = new AnthropicServer();
    await upstream.start();
    const billed: BilledCall[] = [];
    const refuse = { next: false };
    upstream.fallback = scriptedClaude(billed, { promptTooLong: () => refuse.next });
    const h = await startHarness({ upstreams: { anthropic: upstream.url } });
    cleanup.push(
      () => upstream.close(),
      () => h.close(),
    );
    return { h, billed, refuse };
  }

  it("every billed call is one row with the recorded tokens, session, subagent and client; probes and exports add none", async () => {
    const { h, billed, refuse } = await start();
    for (const sent of fixture.requests) {
      refuse.next = sent.status === 400;
      expect(await replay(h, sent), `${sent.method} ${sent.url}`).toBe(sent.status);
    }
    // The script answered the recorded bodies as in the real run: same calls billed, same tokens.
    expect(billed.map((b) => ({ requestId: b.requestId, usage: b.usage }))).toEqual(fixture.billed);

    await eventsWhen(h, billed.length + 1);
    await new Promise((r) => setTimeout(r, 50)); // any late duplicate would land now
    const all = await h.events();
    expect(all).toHaveLength(billed.length + 1);
    const [refused] = all.filter((e) => e.status !== "ok");
    expect(refused).toMatchObject({ requestId: TOO_LONG_REQUEST_ID, usage: { outputTokens: 0 } });
    const sessionId = fixture.requests.find((r) => r.headers["x-claude-code-session-id"])!.headers[
      "x-claude-code-session-id"
    ];
    const agentId = fixture.requests.find((r) => r.headers["x-claude-code-agent-id"])!.headers[
      "x-claude-code-agent-id"
    ];
    for (const call of fixture.billed) {
      const row = all.find((e) => e.requestId === call.requestId);
      expect(row, call.requestId!).toBeDefined();
      expect(row!.usage).toMatchObject({
        uncachedInputTokens: call.usage.input_tokens,
        outputTokens: call.usage.output_tokens,
        cacheReadTokens: call.usage.cache_read_input_tokens,
        cacheWrite5mTokens: call.usage.cache_creation_input_tokens,
      });
      expect(row).toMatchObject({
        provider: "anthropic",
        status: "ok",
        unpriced: false,
        sessionId,
        app: "claude-code",
        metadata: { proxy: true, client: "claude-code" },
      });
    }
    expect(all.filter((e) => e.metadata?.subagent === agentId)).toHaveLength(1);
    noCredentials(h, all);
  });

  it("negative control: the exports alone record the same calls (so the run above did deduplicate)", async () => {
    const { h } = await start();
    for (const sent of fixture.requests.filter((r) => r.url === "/v1/logs")) {
      expect(await replay(h, sent)).toBe(200);
    }
    const rows = await eventsWhen(h, fixture.billed.length);
    expect(rows.map((e) => e.requestId).sort()).toEqual(fixture.billed.map((b) => b.requestId).sort());
    expect(rows.every((e) => e.metadata?.source === "otlp")).toBe(true);
  });
});

describe("replayed Codex session", () => {
  const fixture = readProxiedFixture("codex-proxy.json");

  it("each Responses call is one row with the recorded tokens; turn-cost analytics pass through without a row", async () => {
    const upstream: OpenAIFakeServer = await startOpenAIServer();
    const h = await startHarness({ upstreams: { openai: upstream.url } });
    cleanup.push(
      () => upstream.close(),
      () => h.close(),
    );
    const usages = [...fixture.billed];
    for (const sent of fixture.requests) {
      if (sent.url === "/v1/responses") {
        const u = usages.shift()!.usage;
        upstream.usage = {
          prompt: u.input_tokens!,
          cached: u.cached_tokens!,
          completion: u.output_tokens!,
          reasoning: u.reasoning_tokens!,
        };
      }
      expect(await replay(h, sent), `${sent.method} ${sent.url}`).toBe(sent.status);
    }
    expect(upstream.requests.map((r) => r.path)).toContain("/v1/analytics/codex/turn-costs");

    const rows = await eventsWhen(h, fixture.billed.length);
    // Each `codex exec` is its own session, named in its `session-id` header.
    const sessions = fixture.requests
      .filter((r) => r.url === "/v1/responses")
      .map((r) => r.headers["session-id"]);
    expect(new Set(sessions).size).toBe(fixture.billed.length);
    expect(rows.map((e) => e.sessionId).sort()).toEqual([...sessions].sort());
    await until(async () => (await h.events()).length === fixture.billed.length);
    const got = rows.map((e) => [
      e.usage.uncachedInputTokens,
      e.usage.cacheReadTokens,
      e.usage.outputTokens,
      e.usage.reasoningTokens,
    ]);
    const want = fixture.billed.map(({ usage: u }) => [
      u.input_tokens! - u.cached_tokens!,
      u.cached_tokens,
      u.output_tokens,
      u.reasoning_tokens,
    ]);
    expect(got.sort()).toEqual(want.sort());
    for (const e of rows) {
      expect(e).toMatchObject({
        provider: "openai",
        operation: "responses",
        requestedModel: "gpt-5",
        status: "ok",
        app: "codex",
        unpriced: false,
        metadata: { proxy: true, client: "codex" },
      });
    }
    noCredentials(h, rows);
  });
});

describe("Codex's session header", () => {
  it("is a session only from Codex: the same request from another client keeps no sessionId", async () => {
    const upstream: OpenAIFakeServer = await startOpenAIServer();
    const h = await startHarness({ upstreams: { openai: upstream.url } });
    cleanup.push(
      () => upstream.close(),
      () => h.close(),
    );
    const sent = readProxiedFixture("codex-proxy.json").requests.find((r) => r.url === "/v1/responses")!;
    expect(await replay(h, { ...sent, headers: { ...sent.headers, "user-agent": "curl/8.5.0" } })).toBe(200);
    const [row] = await eventsWhen(h, 1);
    expect(row!.metadata?.client).toBe("curl");
    expect(row!.sessionId ?? null).toBeNull();
  });
});
