import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { instrument, track, untrack } from "tokenledger";

// P30: API keys never stored or logged. P31: prompts and completions are not stored.
const KEY = "sk-proj-KEYCANARY7f3a9c2e1b4d6f8a0c2e4f6a8b0d2";
const HEADER = "HEADERCANARY-91c3e5a7b9d1f3";
const PROMPT = "PROMPTCANARY-3b5d7f9a1c3e5g";
const COMPLETION = "COMPLETIONCANARY-8e6c4a2b0d9f";
const CANARIES = [KEY, "KEYCANARY7f3a9c2e1b4d6f8a0c2e4", HEADER, PROMPT, COMPLETION];

let server: Server;
let baseURL: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      const request = JSON.parse(body || "{}") as { model?: string };
      if (request.model === "bad-key") {
        // A provider error that echoes the key and a header, as real ones sometimes do.
        res.writeHead(401, {
          "content-type": "application/json",
          "x-request-id": "req_1",
          "x-echo": String(req.headers["x-secret"]),
        });
        res.end(
          JSON.stringify({
            error: {
              message: `Incorrect API key provided: ${req.headers.authorization}; header ${req.headers["x-secret"]}`,
              type: "invalid_request_error",
              code: "invalid_api_key",
            },
          }),
        );
        return;
      }
      res.writeHead(200, { "content-type": "application/json", "x-request-id": "req_2" });
      res.end(
        JSON.stringify({
          id: "chatcmpl-1",
          object: "chat.completion",
          created: 1,
          model: "gpt-4o-mini-2024-07-18",
          choices: [
            {
              index: 0,
              message: { role: "assistant", content: `${COMPLETION} (echo: ${PROMPT})` },
              finish_reason: "stop",
            },
          ],
          usage: { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 },
        }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  await untrack();
  await new Promise((r) => server.close(r));
});

describe("P30/P31 canary scan of the SQLite ledger (and its WAL) and the logs", () => {
  it("stores no API key, header, prompt or completion in any byte of the database files or logs", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tl-canary-"));
    const db = join(dir, "ledger.db");
    const logs: string[] = [];
    const tracker = track({
      storage: db,
      instrument: false,
      logger: { warn: (m) => logs.push(m), error: (m) => logs.push(m) },
    });
    const client = new OpenAI({
      apiKey: KEY,
      baseURL,
      maxRetries: 0,
      defaultHeaders: { "x-secret": HEADER },
    });
    expect(instrument(client)).toBe(true);

    const ok = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: PROMPT }],
    });
    expect(ok.choices[0]?.message.content).toContain(COMPLETION);
    await expect(
      client.chat.completions.create({ model: "bad-key", messages: [{ role: "user", content: PROMPT }] }),
    ).rejects.toThrow(/Incorrect API key/);

    const r = await tracker.flush();
    expect(r.persisted).toBe(2);
    const storage = await tracker.storage();
    const totals = await storage.rollup({});
    expect(totals.totals.events).toBe(2);

    const files = [db, `${db}-wal`, `${db}-shm`].filter((f) => existsSync(f));
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const f of files) {
      const bytes = readFileSync(f).toString("latin1");
      for (const c of CANARIES) expect(bytes.includes(c), `${c} found in ${f}`).toBe(false);
    }
    for (const c of CANARIES) expect(logs.join("\n")).not.toContain(c);
    // The error itself is kept, redacted, so operators still see why calls failed.
    const events = [];
    for await (const e of storage.events({})) events.push(e);
    const failed = events.find((e) => e.status === "error");
    expect(failed?.httpStatus).toBe(401);
    expect(failed?.errorMessage).toContain("[REDACTED]");
  });
});
