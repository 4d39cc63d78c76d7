import { spawn } from "node:child_process";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { messageEvents, startAnthropicServer, type AnthropicServer } from "../helpers/anthropic-server.js";
import { sandbox } from "../helpers/cli.js";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
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
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        join(ROOT, "src/cli/index.ts"),
        "serve",
        "--port",
        "0",
        "--proxy",
        "--upstream-anthropic",
        upstream.url,
      ],
      {
        env: { PATH: process.env.PATH ?? "", TSX_TSCONFIG_PATH: join(ROOT, "tsconfig.json"), ...box.env },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    try {
      let out = "";
      const url = await new Promise<string>((resolveUrl, reject) => {
        const timer = setTimeout(() => reject(new Error(`serve did not print its URL: ${out}`)), 45_000);
        child.stdout.setEncoding("utf8").on("data", (d: string) => {
          out += d;
          const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolveUrl(m[1]!);
          }
        });
      });
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

      const exited = new Promise<number | null>((r) => child.on("close", (code) => r(code)));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
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
