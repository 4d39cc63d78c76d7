import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { messageEvents, startAnthropicServer, type AnthropicServer } from "../helpers/anthropic-server.js";
import { sandbox } from "../helpers/cli.js";
import { startServeCli } from "./serve-cli.js";

const KEY = "sk-ant-api03-serveproxySECRET0000000000000000";

let upstream: AnthropicServer;
beforeAll(async () => {
  upstream = await startAnthropicServer();
});
afterAll(async () => upstream?.close());

describe("tokenledger serve --proxy", () => {
  it("proxies a streamed Anthropic call on the server's port and flushes its row into the ledger on SIGTERM", async () => {
    upstream.enqueue({
      kind: "sse",
      events: messageEvents({
        model: "claude-sonnet-4-6",
        start: { input_tokens: 321, output_tokens: 1 },
        deltas: [{ output_tokens: 54 }],
      }),
    });
    const box = sandbox();
    const serve = await startServeCli(["--proxy", "--upstream-anthropic", upstream.url], box.env);
    try {
      const { url } = serve;
      const res = await fetch(`${url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": KEY, "anthropic-version": "2023-06-01" },
        body: JSON.stringify({
          model: "claude-sonnet-4-6",
          max_tokens: 64,
          stream: true,
          messages: [{ role: "user", content: "hi" }],
        }),
      });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain("message_stop");
      expect(upstream.requests[0]!.headers["x-api-key"]).toBe(KEY);
      // The API's own routes still answer on the same port.
      expect((await fetch(`${url}/healthz`)).status).toBe(200);

      expect(await serve.stop()).toBe(0);
    } finally {
      if (serve.child.exitCode === null) serve.child.kill("SIGKILL");
    }
    // Flushed before the server closed the ledger: the call's row is there, without the provider key.
    const db = new Database(box.ledger, { readonly: true });
    const rows = db
      .prepare(
        "SELECT provider, model, uncached_input_tokens AS input, output_tokens AS output FROM token_ledger_events",
      )
      .all();
    db.close();
    expect(rows).toEqual([{ provider: "anthropic", model: "claude-sonnet-4-6", input: 321, output: 54 }]);
  }, 120_000);
});
