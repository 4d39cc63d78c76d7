import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { TokenTracker } from "tokenledger";
import { sqliteStorage } from "tokenledger/sqlite";
import { applyAgentSetup, planAgentSetup } from "../../src/agent-setup/index.js";
import { CODEX_PROVIDER_ID } from "../../src/agent-setup/codex.js";
import { startOpenAIServer, type FakeUsage, type OpenAIFakeServer } from "../helpers/openai-server.js";
import { gzBytes, safeHeaders, saveProxiedFixture } from "./fixtures.js";
import { CODEX_VERSION } from "./install.js";
import { startRecordingProxy, type RecordingProxy } from "./recording-proxy.js";
import { codexTokens, eventually, ledgerRows, runAgent } from "./run-agent.js";

// Installed by global-setup.ts, which prints the skip notice when it could not be.
const codex = inject("agentClis").codex;

const API_KEY = "sk-test-agents-real-codex-0123456789";

// Codex's OTel events carry no request id, so a Codex run uses the proxy alone (never proxy and receiver both).
describe.skipIf(!codex.bin)(`real Codex ${CODEX_VERSION} -> tokenledger proxy -> ledger`, () => {
  const dir = mkdtempSync(join(tmpdir(), "tl-agents-codex-"));
  const dbPath = join(dir, "ledger.db");
  let upstream: OpenAIFakeServer;
  let tracker: TokenTracker;
  let storage: ReturnType<typeof sqliteStorage>;
  let proxy: RecordingProxy;

  beforeAll(async () => {
    upstream = await startOpenAIServer();
    storage = sqliteStorage({ path: dbPath });
    tracker = new TokenTracker({ logger: false, autoFlushOnExit: false, storage });
    proxy = await startRecordingProxy(tracker, { openai: upstream.url });
  });
  afterAll(async () => {
    await proxy?.close();
    await tracker?.shutdown();
    await upstream?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const rows = () => ledgerRows(tracker, storage);

  it("three `codex exec` runs (one trying a WebSocket first) through the proxy: each billed call is one row with exact tokens", async () => {
    const codexHome = join(dir, "codex-home");
    const work = join(dir, "work");
    mkdirSync(work, { recursive: true });
    const env = { HOME: dir, CODEX_HOME: codexHome };
    // What `agent setup codex --write` writes: a `tokenledger` model provider with base_url <proxy>/v1.
    await applyAgentSetup(await planAgentSetup("codex", { proxyUrl: proxy.url, env }));

    // The third run lets Codex try a WebSocket to /v1/responses first (the proxy answers 426).
    const websocket = [
      "-c",
      `model_providers.${CODEX_PROVIDER_ID}.supports_websockets=true`,
      "-c",
      "features.responses_websockets=true",
    ];
    // With an OTel exporter configured (here a collector that is not the proxy: Codex's events carry no request
    // id, so they must not reach the same ledger), Codex also posts turn-cost analytics to its provider's base URL.
    const collector = await startNullCollector();
    const otelElsewhere = [
      "-c",
      `otel.exporter={"otlp-http"={endpoint="${collector.url}/v1/logs",protocol="binary"}}`,
    ];
    const runs: { usage: FakeUsage; args: string[] }[] = [
      { usage: { prompt: 12_345, cached: 2_000, completion: 678, reasoning: 90 }, args: [] },
      { usage: { prompt: 23_456, cached: 0, completion: 789, reasoning: 0 }, args: otelElsewhere },
      { usage: { prompt: 34_567, cached: 1_024, completion: 890, reasoning: 12 }, args: websocket },
    ];
    const billed: { usage: Record<string, number> }[] = [];
    for (const { usage, args } of runs) {
      upstream.usage = usage;
      const before = upstream.requests.filter((r) => r.path.endsWith("/responses")).length;
      const run = await runAgent(
        codex.bin!,
        ["exec", "--skip-git-repo-check", ...args, "-m", "gpt-5", "Say hello."],
        { ...env, OPENAI_API_KEY: API_KEY },
        work,
      );
      expect(run.code, run.output).toBe(0);
      const calls = upstream.requests.filter((r) => r.path.endsWith("/responses")).length - before;
      expect(calls).toBeGreaterThan(0);
      for (let i = 0; i < calls; i++) {
        billed.push({
          usage: {
            input_tokens: usage.prompt,
            cached_tokens: usage.cached,
            output_tokens: usage.completion,
            reasoning_tokens: usage.reasoning,
          },
        });
      }
    }

    const stored = await eventually(rows, (r) => r.length >= billed.length);
    expect(stored).toHaveLength(billed.length);
    expect(stored.every((e) => e.operation === "responses")).toBe(true);
    // Each `codex exec` is its own session: its `session-id` header is the rows' sessionId.
    const sessions = proxy.requests
      .filter((r) => r.url === "/v1/responses")
      .map((r) => r.headers["session-id"]);
    expect(stored.map((e) => e.sessionId).sort()).toEqual([...sessions].sort());
    const { got, want } = codexTokens(stored, billed);
    expect(got).toEqual(want);
    for (const e of stored) {
      expect(e).toMatchObject({
        provider: "openai",
        // The answer's dated model name; what Codex asked for is kept too.
        model: "gpt-5-2024-08-06",
        requestedModel: "gpt-5",
        operation: "responses",
        app: "codex",
        status: "ok",
        unpriced: false,
      });
      expect(e.metadata).toMatchObject({ proxy: true, client: "codex" });
    }

    // Codex's other calls (its turn-cost analytics) pass through without rows; WebSocket upgrades get 426.
    const other = proxy.requests.filter((r) => !r.url.startsWith("/v1/responses"));
    console.info(
      `[agents-real] codex: ${proxy.requests.length} requests through the proxy, ${billed.length} billed; others: ${[...new Set(other.map((r) => `${r.method} ${r.url} -> ${r.status}`))].join(", ") || "none"}; WebSocket upgrades: ${proxy.upgrades.length ? proxy.upgrades.join(", ") : "none"}`,
    );
    await collector.close();
    expect(other.map((r) => r.url)).toContain("/v1/analytics/codex/turn-costs");
    // Forwarded as is: the upstream answers (the fake one has no such route: 404), and no row is made of it.
    expect(upstream.requests.map((r) => r.path)).toContain("/v1/analytics/codex/turn-costs");
    expect(other.every((r) => r.status === 404)).toBe(true);
    // One upgrade attempt (the WebSocket run), refused with 426; Codex fell back to HTTP at once (no retries),
    // and that run's call is billed and recorded once like the others.
    expect(proxy.upgrades).toEqual(["GET /v1/responses"]);

    // Credentials: in no stored byte and no log line.
    expect(readFileSync(dbPath).includes(API_KEY)).toBe(false);
    expect(proxy.logs.join("\n")).not.toContain(API_KEY);
    expect(JSON.stringify(stored)).not.toContain(API_KEY);

    saveProxiedFixture("codex-proxy.json", {
      agent: "codex",
      agentVersion: CODEX_VERSION,
      recordedAt: new Date().toISOString(),
      requests: proxy.requests.map((r) => ({
        method: r.method,
        url: r.url,
        headers: safeHeaders(r.headers),
        bodyGzipBase64: gzBytes(r.body),
        status: r.status,
      })),
      billed: billed.map((b) => ({ requestId: null, usage: b.usage })),
    });
  });
});

/** An OTLP/HTTP endpoint that accepts and drops everything. */
async function startNullCollector(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end("{}"));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
