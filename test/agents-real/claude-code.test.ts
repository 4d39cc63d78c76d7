import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TokenTracker, type LedgerEvent } from "tokenledger";
import { sqliteStorage } from "tokenledger/sqlite";
import { applyAgentSetup, planAgentSetup } from "../../src/agent-setup/index.js";
import { providerRequestEventId } from "../../src/proxy/otlp/index.js";
import { AnthropicServer } from "../helpers/anthropic-server.js";
import { startCapturingReceiver } from "./capture-otlp.js";
import { scriptedClaude, type BilledCall } from "./claude-upstream.js";
import { gz, maybeSaveFixture, safeHeaders } from "./fixtures.js";
import { CLAUDE_CODE_VERSION, installCli } from "./install.js";
import { eventually, runAgent } from "./run-agent.js";

const claude = installCli("@anthropic-ai/claude-code", CLAUDE_CODE_VERSION, "claude", /Claude Code/);
if (!claude.bin) {
  // Visible in the run's output, not only as a skipped test.
  console.warn(`[agents-real] SKIPPING Claude Code: ${claude.reason}`);
}

/**
 * TODO(proxy): when `tokenledger proxy` lands, return its URL here (its Anthropic upstream set to the fake one) and
 * the run also goes through the proxy: `agent setup claude --otlp` without --no-proxy, and each billed call must
 * then be ONE row (proxy and receiver rows share providerRequestEventId).
 */
function proxyFor(_upstreamUrl: string): string | null {
  return null;
}

describe.skipIf(!claude.bin)(`real Claude Code ${CLAUDE_CODE_VERSION} -> OTLP receiver -> ledger`, () => {
  const dir = mkdtempSync(join(tmpdir(), "tl-agents-claude-"));
  const upstream = new AnthropicServer();
  const billed: BilledCall[] = [];
  let tracker: TokenTracker;
  let storage: ReturnType<typeof sqliteStorage>;
  let receiver: Awaited<ReturnType<typeof startCapturingReceiver>>;

  beforeAll(async () => {
    await upstream.start();
    upstream.fallback = scriptedClaude(billed);
    storage = sqliteStorage({ path: join(dir, "ledger.db") });
    tracker = new TokenTracker({ logger: false, autoFlushOnExit: false, storage });
    receiver = await startCapturingReceiver({ tracker });
  });
  afterAll(async () => {
    await receiver?.close();
    await tracker?.shutdown();
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function rows(): Promise<LedgerEvent[]> {
    await tracker.flush({ timeoutMs: 5000 });
    const out: LedgerEvent[] = [];
    for await (const e of storage.events({})) out.push(e);
    return out;
  }

  it("a session with a tool call, a subagent and a resumed turn: every call the upstream billed is one row with its exact tokens", async () => {
    const configDir = join(dir, "claude-config");
    const work = join(dir, "work");
    mkdirSync(work, { recursive: true });
    const proxy = proxyFor(upstream.url);
    // The settings `agent setup claude --otlp --write` writes, into this run's own config dir.
    const plan = await planAgentSetup("claude", {
      otlp: true,
      proxy: proxy !== null,
      proxyUrl: proxy ?? receiver.url,
      env: { HOME: dir, CLAUDE_CONFIG_DIR: configDir },
    });
    await applyAgentSetup(plan);
    const agentEnv = {
      HOME: dir,
      CLAUDE_CONFIG_DIR: configDir,
      ANTHROPIC_API_KEY: "sk-ant-test-not-a-key",
      // Without the proxy, the agent calls the fake upstream itself.
      ...(proxy ? {} : { ANTHROPIC_BASE_URL: upstream.url }),
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
    // The script ran: Bash, then the subagent, then the final answer (at least 4 billed calls).
    const toolResults = upstream.requests.filter((r) =>
      JSON.stringify(r.body ?? "").includes('"content":"tokenledger-tool-ok"'),
    );
    expect(toolResults.length, "the Bash tool's output went back to the model").toBeGreaterThan(0);
    expect(billed.length).toBeGreaterThanOrEqual(4);

    // The same session resumed for another turn (--continue): still one session, one more billed call.
    // (`-p "/compact" --continue` answers "Not enough messages to compact." on a session this short in 2.1.197,
    // so compaction is not driven here.)
    const more = await runAgent(claude.bin!, ["-p", "Say more.", "--continue"], agentEnv, work);
    expect(more.code, more.output).toBe(0);
    expect(billed.length).toBeGreaterThanOrEqual(5);

    const stored = await eventually(rows, (r) => r.length >= billed.length);
    expect(stored).toHaveLength(billed.length);
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
      expect(row!.provider).toBe("anthropic");
      expect(row!.unpriced).toBe(false);
      expect(row!.metadata?.source).toBe("otlp");
    }
    // The subagent's calls are attributed like the main agent's: same session, reported by query_source.
    const sessions = new Set(stored.map((e) => e.sessionId));
    expect(sessions.size).toBe(1);

    maybeSaveFixture("claude-code-session.json", {
      agent: "claude-code",
      agentVersion: CLAUDE_CODE_VERSION,
      recordedAt: new Date().toISOString(),
      requests: upstream.requests.map((r) => ({
        method: r.method,
        path: r.path,
        headers: safeHeaders(r.headers),
        bodyGzipBase64: gz(r.body),
      })),
      billed: billed.map((b) => ({ requestId: b.requestId, usage: { ...b.usage } })),
      otlpExports: receiver.exports,
    });
  });
});
