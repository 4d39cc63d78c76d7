import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TokenTracker } from "tokenledger";
import { sqliteStorage, type SqliteStorage } from "tokenledger/sqlite";
import { claudeCodeImporter } from "../../src/importers/claude-code.js";
import { runImport } from "../../src/importers/run-import.js";
import { ImportState } from "../../src/importers/state.js";
import { startProxyServer, type ProxyServer } from "../../src/proxy/index.js";
import { claudeLine } from "../importers/fixtures.js";
import { noPrices } from "../importers/helpers.js";
import { sse, startScriptedUpstream, type ScriptedUpstream } from "./scripted-upstream.js";

const dir = mkdtempSync(join(tmpdir(), "tl-proxy-import-"));
const REQUEST_ID = "req_011CDupeProxied0001";
let up: ScriptedUpstream;
let storage: SqliteStorage;
let tracker: TokenTracker;
let proxy: ProxyServer;

beforeAll(async () => {
  up = await startScriptedUpstream();
  up.answer = (_r, res) => {
    res.writeHead(200, { "content-type": "text/event-stream", "request-id": REQUEST_ID });
    res.end(
      sse("message_start", {
        type: "message_start",
        message: {
          id: "msg_dupe_1",
          type: "message",
          role: "assistant",
          model: "claude-sonnet-4-5-20250929",
          content: [],
          usage: { input_tokens: 12, output_tokens: 1, cache_read_input_tokens: 5000 },
        },
      }) +
        sse("message_delta", {
          type: "message_delta",
          delta: { stop_reason: "end_turn" },
          usage: { output_tokens: 40 },
        }) +
        sse("message_stop", { type: "message_stop" }),
    );
  };
  storage = sqliteStorage({ path: join(dir, "ledger.db") });
  await storage.init();
  tracker = new TokenTracker({ storage, logger: false, autoFlushOnExit: false });
  proxy = await startProxyServer({ sink: tracker, upstreams: { anthropic: up.url } }, { port: 0 });
});
afterAll(async () => {
  await proxy.close();
  await tracker.shutdown();
  await up.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Claude Code's transcript of the same session: the proxied message (same request id) and one the proxy never saw. */
function writeTranscript(root: string): void {
  const file = join(root, "-home-dev-app", "sess-1.jsonl");
  mkdirSync(dirname(file), { recursive: true });
  const at = new Date().toISOString();
  const lines = [
    claudeLine({
      messageId: "msg_dupe_1",
      requestId: REQUEST_ID,
      timestamp: at,
      input: 12,
      output: 40,
      cacheRead: 5000,
      stop: "end_turn",
    }),
    claudeLine({
      messageId: "msg_other",
      requestId: "req_011CNotProxied0002",
      timestamp: at,
      input: 7,
      output: 9,
      stop: "end_turn",
    }),
  ];
  writeFileSync(file, lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
}

describe("transcript import next to the proxy", () => {
  it("a call the proxy recorded is not counted again when its transcript is imported", async () => {
    const res = await fetch(`${proxy.url}/v1/messages`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-api-key": "sk-ant-dupe-test",
        "anthropic-version": "2023-06-01",
      },
      body: JSON.stringify({
        model: "claude-sonnet-4-5",
        max_tokens: 50,
        stream: true,
        messages: [{ role: "user", content: "x" }],
      }),
    });
    await res.text();
    await new Promise((r) => setTimeout(r, 50));
    await tracker.flush({ timeoutMs: 5000 });
    const root = join(dir, "projects");
    writeTranscript(root);
    const state = await ImportState.load(join(dir, "state.json"));
    await runImport({ importer: claudeCodeImporter, root, storage, pricer: noPrices, state });
    const got = await storage.rollup({ groupBy: [], bucket: "hour" });
    // The proxied call once (its proxy row) plus the one call only the transcript knows.
    expect(got.totals.events).toBe(2);
    expect(got.totals.outputTokens).toBe(49);
  });
});
