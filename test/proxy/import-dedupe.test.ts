import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TokenTracker } from "tokenledger";
import { sqliteStorage, type SqliteStorage } from "tokenledger/sqlite";
import { liveRowsFirst } from "../../src/core/live-rows-first.js";
import { claudeCodeImporter } from "../../src/importers/claude-code.js";
import { runImport } from "../../src/importers/run-import.js";
import { ImportState } from "../../src/importers/state.js";
import { startProxyServer, type ProxyServer } from "../../src/proxy/index.js";
import { claudeLine } from "../importers/fixtures.js";
import { noPrices } from "../importers/helpers.js";
import { sse, startScriptedUpstream, type ScriptedUpstream } from "./scripted-upstream.js";

const dir = mkdtempSync(join(tmpdir(), "tl-proxy-import-"));
const REQUEST_ID = "req_011CDupeProxied0001";
/** The call the second test imports before the proxy records it. */
const LATE_ID = "req_011CImportedFirst0003";
let up: ScriptedUpstream;
let storage: SqliteStorage;
let tracker: TokenTracker;
let proxy: ProxyServer;

beforeAll(async () => {
  up = await startScriptedUpstream();
  up.answer = (r, res) => {
    const late = r.headers["x-test-late"] === "1";
    res.writeHead(200, { "content-type": "text/event-stream", "request-id": late ? LATE_ID : REQUEST_ID });
    res.end(
      sse("message_start", {
        type: "message_start",
        message: {
          id: late ? "msg_late" : "msg_dupe_1",
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
  // As the CLI wires it: live rows replace an import's row of the same call.
  tracker = new TokenTracker({ storage: liveRowsFirst(storage), logger: false, autoFlushOnExit: false });
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

/** One streamed call through the proxy, flushed to the ledger. */
async function proxiedCall(headers: Record<string, string> = {}): Promise<void> {
  const res = await fetch(`${proxy.url}/v1/messages`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-api-key": "sk-ant-dupe-test",
      "anthropic-version": "2023-06-01",
      ...headers,
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
}

async function importTranscripts(root: string): Promise<void> {
  const state = await ImportState.load(join(dir, `state-${Math.random()}.json`));
  await runImport({ importer: claudeCodeImporter, root, storage, pricer: noPrices, state });
}

describe("transcript import next to the proxy", () => {
  it("a call the proxy recorded is not counted again when its transcript is imported", async () => {
    await proxiedCall();
    const root = join(dir, "projects");
    writeTranscript(root);
    await importTranscripts(root);
    const got = await storage.rollup({ groupBy: [], bucket: "hour" });
    // The proxied call once (its proxy row) plus the one call only the transcript knows.
    expect(got.totals.events).toBe(2);
    expect(got.totals.outputTokens).toBe(49);
  });

  it("a call imported before the proxy recorded it is replaced by the proxy's row, not counted twice", async () => {
    const root = join(dir, "projects-late");
    const file = join(root, "-home-dev-app", "sess-2.jsonl");
    mkdirSync(dirname(file), { recursive: true });
    const line = claudeLine({
      messageId: "msg_late",
      requestId: LATE_ID,
      timestamp: new Date().toISOString(),
      input: 12,
      output: 40,
      cacheRead: 5000,
      stop: "end_turn",
    });
    writeFileSync(file, JSON.stringify(line) + "\n");
    const before = (await storage.rollup({ groupBy: [], bucket: "hour" })).totals;
    await importTranscripts(root);
    await proxiedCall({ "x-test-late": "1", "x-tokenledger-user": "alice" });
    await importTranscripts(root);
    const after = (await storage.rollup({ groupBy: [], bucket: "hour" })).totals;
    expect(after.events - before.events).toBe(1);
    expect(after.outputTokens - before.outputTokens).toBe(40);
    const rows = [];
    for await (const e of storage.events({})) if (e.requestId === LATE_ID) rows.push(e);
    // The proxy's row (its caller attribution and provider usage) under the import's id.
    expect(rows.map((e) => [e.userId, e.usageSource])).toEqual([["alice", "provider"]]);
  });
});
