import { readFileSync } from "node:fs";
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAnthropicServer, messageEvents, type AnthropicServer } from "../helpers/anthropic-server.js";
import { eventsWhen, startHarness, until, type Harness } from "./harness.js";

// A real Claude Code 2.1.197 logs export (captured by test/agents-real); its api_request names this request id.
const CAPTURED_ID = "req_011CTest000000000002";
const capturedExport = readFileSync(
  new URL("../fixtures/agents/claude-code-otlp/logs.json", import.meta.url),
  "utf8",
);

let anthropic: AnthropicServer;
let h: Harness;

beforeAll(async () => {
  anthropic = await startAnthropicServer();
  h = await startHarness({ upstreams: { anthropic: anthropic.url } });
});
afterAll(async () => {
  await h?.close();
  await anthropic.close();
});

/** Posts Claude Code's export, rewritten to name `requestId`, to the proxy's own port. */
async function exportFor(requestId: string): Promise<Response> {
  return fetch(`${h.proxy.url}/v1/logs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: capturedExport.split(CAPTURED_ID).join(requestId),
  });
}

describe("OTLP receiver on the proxy's port", () => {
  it("a call seen by the proxy and by Claude Code's OTLP export is stored once; another request id is another row", async () => {
    anthropic.enqueue({
      kind: "sse",
      events: messageEvents({
        model: "claude-sonnet-4-6",
        start: { input_tokens: 10, output_tokens: 1 },
        deltas: [{ output_tokens: 5 }],
      }),
    });
    const client = new Anthropic({ apiKey: "sk-ant-test", baseURL: h.proxy.url, maxRetries: 0 });
    await client.messages
      .stream({ model: "claude-sonnet-4-6", max_tokens: 10, messages: [{ role: "user", content: "hi" }] })
      .finalMessage();
    const [proxied] = await eventsWhen(h, 1);
    expect(proxied!.requestId).toMatch(/^req_/);

    const same = await exportFor(proxied!.requestId!);
    expect(same.status).toBe(200);
    expect(await h.events()).toHaveLength(1);

    // Negative control: the receiver does record exports, so a different request id becomes a second row.
    expect((await exportFor("req_not_seen_by_the_proxy")).status).toBe(200);
    await until(async () => (await h.events()).length === 2);
    const rows = await h.events();
    expect(rows.map((e) => e.metadata?.source ?? "proxy").sort()).toEqual(["otlp", "proxy"]);
  });
});
