import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGeminiServer, type GeminiServer } from "../helpers/gemini-server.js";
import { startOpenAIServer, type OpenAIFakeServer } from "../helpers/openai-server.js";
import { bundleConsumerApp } from "./consumer-app.js";
import { runNode } from "../helpers/cli.js";

let openai: OpenAIFakeServer;
let gemini: GeminiServer;
beforeAll(async () => {
  [openai, gemini] = await Promise.all([startOpenAIServer(), startGeminiServer()]);
});
afterAll(async () => {
  await Promise.all([openai.close(), gemini.close()]);
});

interface Row {
  provider: string;
  model: string;
  uncached_input_tokens: number;
  cache_read_tokens: number;
  output_tokens: number;
  cost_pico: number | null;
}

async function runApp(
  app: string,
  format: "esm" | "cjs",
): Promise<{ code: number | null; stdout: string; stderr: string; rows: Row[] }> {
  const file = await bundleConsumerApp(app, format);
  const ledger = join(mkdtempSync(join(tmpdir(), "tl-first-call-")), "ledger.db");
  const out = await runNode([file], {
    env: { ...process.env, LEDGER: ledger, FAKE_OPENAI_URL: openai.baseURL, FAKE_GEMINI_URL: gemini.url },
  });
  const db = new Database(ledger, { readonly: true });
  const rows = db
    .prepare(
      "select provider, model, uncached_input_tokens, cache_read_tokens, output_tokens, cost_pico from token_ledger_events order by provider, ts",
    )
    .all() as Row[];
  db.close();
  return { ...out, rows };
}

// gpt-4o-2024-08-06: 2,000 uncached × $2.50/M + 8,000 cached × $1.25/M + 500 output × $10/M = $0.02.
const OPENAI_ROW = {
  model: "gpt-4o-2024-08-06",
  uncached_input_tokens: 2_000,
  cache_read_tokens: 8_000,
  output_tokens: 500,
  cost_pico: 20_000_000_000,
};

describe.each([
  ["first-call-esm.mjs", "esm"],
  ["first-call-cjs.cjs", "cjs"],
] as const)(
  "%s (%s): the call on the line after track() is recorded (no await, no loader flag)",
  (app, format) => {
    it("records the first OpenAI call and every call of a Gemini client built before track()", async () => {
      const { code, stdout, stderr, rows } = await runApp(app, format);
      expect(stderr).toBe("");
      expect(code).toBe(0);
      expect(stdout).toBe("done\n");
      const openaiRows = rows.filter((r) => r.model.startsWith("gpt-"));
      expect(openaiRows).toEqual([expect.objectContaining(OPENAI_ROW)]);
      const geminiRows = rows.filter((r) => r.provider === "gemini");
      expect(geminiRows).toHaveLength(2);
      // Gemini 2.5 Flash: (1,200 prompt − 1,000 cached + 50 tool-use) × $0.30/M + 1,000 cached × $0.03/M
      // + (300 output + 200 thinking) × $2.50/M = $0.001355.
      for (const r of geminiRows) {
        expect(r).toMatchObject({ uncached_input_tokens: 250, cache_read_tokens: 1000, output_tokens: 500 });
        expect(r.cost_pico).toBe(1_355_000_000);
      }
    });
  },
);
