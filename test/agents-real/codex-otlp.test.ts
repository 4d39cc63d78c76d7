import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { TokenTracker } from "tokenledger";
import { sqliteStorage } from "tokenledger/sqlite";
import { applyAgentSetup, planAgentSetup } from "../../src/agent-setup/index.js";
import { startOpenAIServer, type FakeUsage, type OpenAIFakeServer } from "../helpers/openai-server.js";
import { startCapturingReceiver } from "./capture-otlp.js";
import { gz, maybeSaveFixture, safeHeaders } from "./fixtures.js";
import { CODEX_VERSION } from "./install.js";
import { codexTokens, eventually, ledgerRows, runAgent } from "./run-agent.js";

// Installed by global-setup.ts, which prints the skip notice when it could not be.
const codex = inject("agentClis").codex;

// For a Codex whose provider must stay as it is: its own OTel events (no request id, so never together with the
// proxy). Here the provider points at the fake upstream directly.
describe.skipIf(!codex.bin)(`real Codex ${CODEX_VERSION} -> OTLP receiver alone -> ledger`, () => {
  const dir = mkdtempSync(join(tmpdir(), "tl-agents-codex-"));
  let upstream: OpenAIFakeServer;
  let tracker: TokenTracker;
  let storage: ReturnType<typeof sqliteStorage>;
  let receiver: Awaited<ReturnType<typeof startCapturingReceiver>>;

  beforeAll(async () => {
    upstream = await startOpenAIServer();
    storage = sqliteStorage({ path: join(dir, "ledger.db") });
    tracker = new TokenTracker({ logger: false, autoFlushOnExit: false, storage });
    receiver = await startCapturingReceiver({ tracker });
  });
  afterAll(async () => {
    await receiver?.close();
    await tracker?.shutdown();
    await upstream?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const rows = () => ledgerRows(tracker, storage);

  it("two `codex exec` runs: each billed Responses call is one row with exact tokens", async () => {
    const codexHome = join(dir, "codex-home");
    const work = join(dir, "work");
    mkdirSync(work, { recursive: true });
    const env = { HOME: dir, CODEX_HOME: codexHome };
    // `agent setup codex --write` twice: a provider pointing at the fake upstream (standing in for the user's own
    // provider), then `--otlp --no-proxy` for the receiver.
    await applyAgentSetup(await planAgentSetup("codex", { proxyUrl: upstream.url, env }));
    await applyAgentSetup(
      await planAgentSetup("codex", { otlp: true, proxy: false, proxyUrl: receiver.url, env }),
    );

    const runs: FakeUsage[] = [
      { prompt: 12_345, cached: 2_000, completion: 678, reasoning: 90 },
      { prompt: 23_456, cached: 0, completion: 789, reasoning: 0 },
    ];
    const billed: { usage: Record<string, number> }[] = [];
    for (const usage of runs) {
      upstream.usage = usage;
      const before = upstream.requests.filter((r) => r.path.endsWith("/responses")).length;
      const run = await runAgent(
        codex.bin!,
        ["exec", "--skip-git-repo-check", "-m", "gpt-5", "Say hello."],
        { ...env, OPENAI_API_KEY: "sk-test-not-a-key" },
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
    const { got, want } = codexTokens(stored, billed);
    expect(got).toEqual(want);
    for (const e of stored) {
      expect(e).toMatchObject({
        provider: "openai",
        model: "gpt-5",
        operation: "responses",
        app: "codex",
        unpriced: false,
      });
      expect(e.metadata?.source).toBe("otlp");
    }

    maybeSaveFixture("codex-session.json", {
      agent: "codex",
      agentVersion: CODEX_VERSION,
      recordedAt: new Date().toISOString(),
      requests: upstream.requests.map((r) => ({
        method: r.method,
        path: r.path,
        headers: safeHeaders(r.headers),
        bodyGzipBase64: gz(r.body),
      })),
      billed: billed.map((b) => ({ requestId: null, usage: b.usage })),
      otlpExports: receiver.exports,
    });
  });
});
