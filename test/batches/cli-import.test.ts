import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { runCli, sandbox } from "../helpers/cli.js";
import { tempDir, writeLines } from "../importers/fixtures.js";
import * as F from "./fixtures.js";

describe("tokenledger import openai-batch | bedrock-batch", () => {
  it("imports an OpenAI batch output file at batch rates; a second run adds nothing", async () => {
    const box = sandbox();
    const file = join(tempDir(), "batch_output.jsonl");
    writeLines(file, [F.OPENAI_CHAT_LINE, F.OPENAI_EMBEDDING_LINE, F.OPENAI_FAILED_LINE]);
    const first = await runCli(["import", "openai-batch", file, "--batch-id", "batch_abc123", "--json"], {
      env: box.env,
    });
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ agent: "openai-batch", events: 3, newEvents: 3 });
    const again = await runCli(["import", "openai-batch", file, "--full", "--json"], { env: box.env });
    expect(JSON.parse(again.stdout)).toMatchObject({ events: 3, newEvents: 0, alreadyInLedger: 3 });
    const db = new Database(box.ledger, { readonly: true });
    const row = db
      .prepare("select cost_pico, batch from token_ledger_events where operation = 'chat'")
      .get() as { cost_pico: unknown; batch: unknown };
    db.close();
    expect(String(row.cost_pico)).toBe("2625000000"); // $0.002625 in picodollars (SQLite column)
    expect(Number(row.batch)).toBe(1);
  });

  it("bedrock-batch without --model fails with a message naming the option", async () => {
    const box = sandbox();
    const file = join(tempDir(), "input.jsonl.out");
    writeLines(file, [F.BEDROCK_OK_LINE]);
    const r = await runCli(["import", "bedrock-batch", file], { env: box.env });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("--model");
  });
});
