import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { AGENT_FIXTURES, type AgentSessionFixture } from "../agents-real/fixtures.js";
import { receiverWithCapture } from "../otlp/support.js";

/**
 * The OTLP receiver's rows carry what the agents' telemetry says about the answer: Codex's `response.completed`
 * event is the Responses status `completed` (as the interceptor and proxy record it); Claude Code's `api_request`
 * names neither the message id nor the stop reason, so those rows have neither (never invented).
 */
let r: Awaited<ReturnType<typeof receiverWithCapture>> | undefined;
afterEach(async () => {
  await r?.close();
  r = undefined;
});

async function replay(file: string) {
  const s = JSON.parse(readFileSync(new URL(file, AGENT_FIXTURES), "utf8")) as AgentSessionFixture;
  r = await receiverWithCapture();
  for (const e of s.otlpExports) {
    const res = await r.post(e.path, Buffer.from(e.bodyBase64, "base64"), {
      "content-type": e.contentType,
      ...(e.contentEncoding ? { "content-encoding": e.contentEncoding } : {}),
    });
    expect(res.status).toBe(200);
  }
  return r.rows();
}

describe("OTLP receiver: response fields", () => {
  it("Codex rows: finishReasons ['completed'], no response id", async () => {
    const rows = await replay("codex-session.json");
    expect(rows.length).toBeGreaterThan(0);
    for (const e of rows) {
      expect(e.finishReasons).toEqual(["completed"]);
      expect(e).not.toHaveProperty("responseId");
    }
  });

  it("Claude Code rows: neither field (its api_request event carries neither)", async () => {
    const rows = await replay("claude-code-session.json");
    expect(rows.length).toBeGreaterThan(0);
    for (const e of rows) {
      expect(e).not.toHaveProperty("finishReasons");
      expect(e).not.toHaveProperty("responseId");
    }
  });
});
