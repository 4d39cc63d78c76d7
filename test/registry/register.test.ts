import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runNode } from "../helpers/cli.js";

const APP = fileURLToPath(new URL("./fixtures/esm-app.mjs", import.meta.url));
const REGISTER = fileURLToPath(new URL("../../src/register.ts", import.meta.url));

let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json", "x-request-id": "req_reg" });
      res.end(
        JSON.stringify({
          id: "c1",
          object: "chat.completion",
          created: 1,
          model: "gpt-4o-mini-2024-07-18",
          choices: [{ index: 0, message: { role: "assistant", content: "hello" }, finish_reason: "stop" }],
          usage: { prompt_tokens: 1000, completion_tokens: 100, total_tokens: 1100 },
        }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise((r) => server.close(r)));

describe("node --import tokenledger/register", () => {
  it("tracks an untouched ESM app's SDK calls into the ledger the environment names", async () => {
    const db = join(mkdtempSync(join(tmpdir(), "tl-register-")), "ledger.db");
    const out = await runNode(["--import", "tsx", "--import", REGISTER, APP], {
      env: { ...process.env, FAKE_OPENAI_URL: url, TOKENLEDGER_DATABASE_URL: db },
    });
    expect(out.stderr).not.toMatch(/Error/);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain("reply:hello");
    const rows = new Database(db, { readonly: true })
      .prepare(
        "select provider, model, requested_model, uncached_input_tokens, output_tokens, cost_pico from token_ledger_events",
      )
      .all();
    // The fake server's host is an unknown OpenAI-compatible provider, labelled by its host and priced at
    // OpenAI's list price because the model id names an OpenAI model exactly.
    // gpt-4o-mini: 1000 × $0.15/M + 100 × $0.60/M = $0.00021 = 210,000,000 pico-dollars.
    expect(rows).toEqual([
      {
        provider: "127.0.0.1",
        model: "gpt-4o-mini-2024-07-18",
        requested_model: "gpt-4o-mini",
        uncached_input_tokens: 1000,
        output_tokens: 100,
        cost_pico: 210_000_000,
      },
    ]);
  });
});
