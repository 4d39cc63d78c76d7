import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { TokenTracker } from "tokenledger";
import { sqliteStorage } from "tokenledger/sqlite";
import { applyAgentSetup, planAgentSetup } from "../../src/agent-setup/index.js";
import { providerRequestEventId } from "../../src/proxy/otlp/index.js";
import { AnthropicServer } from "../helpers/anthropic-server.js";
import { scriptedClaude, TOO_LONG_REQUEST_ID, type BilledCall } from "./claude-upstream.js";
import { gzBytes, safeHeaders, saveProxiedFixture } from "./fixtures.js";
import { CLAUDE_CODE_VERSION } from "./install.js";
import { startRecordingProxy, type RecordingProxy } from "./recording-proxy.js";
import { eventually, ledgerRows, runAgent } from "./run-agent.js";

// Installed by global-setup.ts, which prints the skip notice when it could not be.
const claude = inject("agentClis").claude;

const API_KEY = "sk-ant-test-agents-real-0123456789";

describe.skipIf(!claude.bin)(
  `real Claude Code ${CLAUDE_CODE_VERSION} -> tokenledger proxy (+ OTLP on its port) -> ledger`,
  () => {
    const dir = mkdtempSync(join(tmpdir(), "tl-agents-claude-"));
    const dbPath = join(dir, "ledger.db");
    const upstream = new AnthropicServer();
    const billed: BilledCall[] = [];
    let tooLong = 0;
    let tracker: TokenTracker;
    let storage: ReturnType<typeof sqliteStorage>;
    let proxy: RecordingProxy;

    beforeAll(async () => {
      await upstream.start();
      upstream.fallback = scriptedClaude(billed, {
        promptTooLong: () => tooLong-- > 0,
      });
      storage = sqliteStorage({ path: dbPath });
      tracker = new TokenTracker({ logger: false, autoFlushOnExit: false, storage });
      proxy = await startRecordingProxy(tracker, { anthropic: upstream.url });
    });
    afterAll(async () => {
      await proxy?.close();
      await tracker?.shutdown();
      await upstream.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const rows = () => ledgerRows(tracker, storage);

    it("tool call, subagent, resumed turn, a refused turn: every billed call is one row with exact tokens and attribution", async () => {
      const configDir = join(dir, "claude-config");
      const work = join(dir, "work");
      mkdirSync(work, { recursive: true });
      // What `agent setup claude --otlp --write` writes: ANTHROPIC_BASE_URL and the OTLP exporter, one port.
      await applyAgentSetup(
        await planAgentSetup("claude", {
          otlp: true,
          proxyUrl: proxy.url,
          env: { HOME: dir, CLAUDE_CONFIG_DIR: configDir },
        }),
      );
      const agentEnv = {
        HOME: dir,
        CLAUDE_CONFIG_DIR: configDir,
        ANTHROPIC_API_KEY: API_KEY,
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
        DISABLE_AUTOUPDATER: "1",
      };
      const run = await runAgent(
        claude.bin!,
        [
          "-p",
          "Run `echo tokenledger-tool-ok`, then ask a subagent to say hi.",
          "--model",
          "claude-sonnet-4-6",
          "--allowedTools",
          "Bash(echo:*)",
          "Agent",
        ],
        agentEnv,
        work,
      );
      expect(run.code, run.output).toBe(0);
      expect(run.output).toContain("All done.");
      const toolResults = upstream.requests.filter((r) =>
        JSON.stringify(r.body ?? "").includes('"content":"tokenledger-tool-ok"'),
      );
      expect(toolResults.length, "the Bash tool's output went back to the model").toBeGreaterThan(0);
      expect(billed.length).toBeGreaterThanOrEqual(4);

      // The same session resumed (--continue), then a turn the API refuses as too long. Compaction could not be
      // driven in 2.1.197 without an account: `/compact` answers "Not enough messages to compact." this early, a
      // near-full context in the usage gives no automatic compaction, and the API's "prompt is too long" ends the
      // run instead of compacting (see the notes). The refusal is still a real-agent error path for the ledger.
      const more = await runAgent(claude.bin!, ["-p", "Say more.", "--continue"], agentEnv, work);
      expect(more.code, more.output).toBe(0);
      tooLong = 1;
      const refused = await runAgent(claude.bin!, ["-p", "And more.", "--continue"], agentEnv, work);
      expect(refused.code).toBe(1);
      expect(refused.output).toContain("Prompt is too long");
      const tooLongCalls =
        upstream.requests.filter((r) => r.path.startsWith("/v1/messages")).length - billed.length;

      const all = await eventually(rows, (r) => r.length >= billed.length + tooLongCalls);
      // The refused call is an error row without tokens (the proxy records billed routes' errors).
      const errors = all.filter((e) => e.status !== "ok");
      expect(errors.map((e) => [e.requestId, e.usage.uncachedInputTokens, e.usage.outputTokens])).toEqual(
        Array.from({ length: tooLongCalls }, () => [TOO_LONG_REQUEST_ID, 0, 0]),
      );
      // Proxy and OTLP both saw each billed call; the ledger holds it once.
      const stored = all.filter((e) => e.status === "ok");
      expect(stored).toHaveLength(billed.length);
      const exports = proxy.requests.filter((r) => r.url.startsWith("/v1/logs"));
      expect(
        exports.length,
        "Claude Code exported its api_request events to the proxy's port",
      ).toBeGreaterThan(0);
      expect(exports.every((r) => r.status === 200)).toBe(true);
      const sessionIds = new Set<string>();
      for (const call of billed) {
        const row = stored.find((e) => e.requestId === call.requestId);
        expect(row, `ledger row for ${call.requestId}`).toBeDefined();
        expect(row!.id).toBe(providerRequestEventId("anthropic", call.requestId));
        expect(row!.usage).toMatchObject({
          uncachedInputTokens: call.usage.input_tokens,
          outputTokens: call.usage.output_tokens,
          cacheReadTokens: call.usage.cache_read_input_tokens,
          cacheWrite5mTokens: call.usage.cache_creation_input_tokens,
        });
        expect(row).toMatchObject({ provider: "anthropic", unpriced: false, status: "ok" });
        sessionIds.add(row!.sessionId ?? "");
      }
      // The proxy's rows (the first to arrive) carry what only the proxy sees.
      const proxied = stored.filter((e) => e.metadata?.proxy === true);
      expect(proxied.length).toBeGreaterThan(0);
      const sent = proxy.requests.filter((r) => r.url.startsWith("/v1/messages") && r.method === "POST");
      const sessionHeader = String(sent[0]!.headers["x-claude-code-session-id"]);
      for (const e of proxied) {
        expect(e.sessionId).toBe(sessionHeader);
        expect(e.app).toBe("claude-code");
        expect(e.metadata?.client).toBe("claude-code");
      }
      expect(sessionIds).toEqual(new Set([sessionHeader]));
      const agentIds = sent.map((r) => r.headers["x-claude-code-agent-id"]).filter(Boolean);
      expect(agentIds.length, "the subagent's calls carry an agent id header").toBeGreaterThan(0);
      const subagentRows = proxied.filter((e) => e.metadata?.subagent !== undefined);
      expect(subagentRows.map((e) => e.metadata?.subagent)).toEqual(expect.arrayContaining([agentIds[0]]));

      // Other requests (HEAD / probes, OTLP exports) pass without rows: every row is a billed call.
      const other = proxy.requests.filter((r) => !(r.url.startsWith("/v1/messages") && r.method === "POST"));
      console.info(
        `[agents-real] claude: ${proxy.requests.length} requests through the proxy, ${billed.length} billed; others: ${[...new Set(other.map((r) => `${r.method} ${r.url.split("?")[0]} -> ${r.status}`))].join(", ")}`,
      );
      // Claude Code's `HEAD /` reachability probe gets an answer (the proxy's own 404: not a provider route).
      expect(other.filter((r) => r.method === "HEAD").every((r) => r.status > 0 && r.status < 500)).toBe(
        true,
      );
      console.info(
        `[agents-real] claude: rows stored first by the proxy ${proxied.length}, by OTLP ${stored.length - proxied.length}`,
      );
      expect(stored.every((e) => billed.some((b) => b.requestId === e.requestId))).toBe(true);
      expect(all).toHaveLength(billed.length + tooLongCalls);

      // Credentials: in no stored byte and no log line.
      await tracker.flush({ timeoutMs: 5000 });
      expect(readFileSync(dbPath).includes(API_KEY)).toBe(false);
      expect(proxy.logs.join("\n")).not.toContain(API_KEY);
      expect(JSON.stringify(stored)).not.toContain(API_KEY);

      saveProxiedFixture("claude-code-proxy.json", {
        agent: "claude-code",
        agentVersion: CLAUDE_CODE_VERSION,
        recordedAt: new Date().toISOString(),
        requests: proxy.requests.map((r) => ({
          method: r.method,
          url: r.url,
          headers: safeHeaders(r.headers),
          bodyGzipBase64: gzBytes(r.body),
          status: r.status,
        })),
        billed: billed.map((b) => ({ requestId: b.requestId, usage: { ...b.usage } })),
      });
    });
  },
);
