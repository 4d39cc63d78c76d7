import { readFileSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { batchImporter } from "../../src/batches/importer.js";
import { anthropicBatchFormat, bedrockBatchFormat, openAIBatchFormat } from "../../src/batches/index.js";
import { defaultPricer } from "../../src/pricing/index.js";
import { tempDir, writeLines } from "../importers/fixtures.js";
import { importInto } from "../importers/helpers.js";
import * as F from "./fixtures.js";

const pricer = defaultPricer();

describe("import openai-batch", () => {
  it("one event per request at batch rates, exact tokens; failed requests are error events with zero tokens", async () => {
    const file = join(tempDir(), "batch_output.jsonl");
    writeLines(file, [
      F.OPENAI_CHAT_LINE,
      F.OPENAI_EMBEDDING_LINE,
      F.OPENAI_FAILED_LINE,
      "{not json",
      { foo: 1 },
    ]);
    const importer = batchImporter(openAIBatchFormat, { batchId: "batch_abc123" });
    const { summary, events, storage } = await importInto(importer, file, { pricer });
    expect(events).toHaveLength(3);
    const chat = events.find((e) => e.operation === "chat")!;
    expect(chat).toMatchObject({
      provider: "openai",
      model: "gpt-4o-2024-08-06",
      batch: true,
      status: "ok",
      usageSource: "import",
      costUsd: F.OPENAI_CHAT_BATCH_COST,
      requestId: "4f1c6c1b0c8a4f0f9c1c0e4b2f7a6b1d",
      metadata: { batchId: "batch_abc123", batchRequestId: F.OPENAI_CHAT_LINE.id, customId: "request-1" },
    });
    expect(chat.timestamp).toEqual(new Date("2026-11-05T12:00:00Z")); // body.created (seconds)
    expect(chat.usage).toMatchObject({ uncachedInputTokens: 800, cacheReadTokens: 200, outputTokens: 300 });
    const embed = events.find((e) => e.operation === "embeddings")!;
    expect(embed).toMatchObject({ costUsd: F.OPENAI_EMBEDDING_BATCH_COST, batch: true });
    const failed = events.find((e) => e.status === "error")!;
    // A request the provider refused (400) billed nothing: its cost is exactly 0, not unknown.
    expect(failed).toMatchObject({
      httpStatus: 400,
      errorType: "invalid_request_error",
      costUsd: "0",
      unpriced: false,
    });
    expect(summary.malformedSamples.map((m) => m.line)).toEqual([4, 5]);
    expect(summary.malformedSamples[1]!.reason).toMatch(/^id: missing/);

    // Importing the same file again adds nothing (stable ids).
    const again = await importInto(importer, file, { pricer, storage });
    expect(again.events).toHaveLength(3);
  });

  it("negative control: the same line priced as a normal call costs twice as much", async () => {
    const request = {
      provider: "openai",
      model: "gpt-4o-2024-08-06",
      requestedModel: null,
      serviceTier: null,
      at: new Date("2026-11-05T12:00:00Z"),
      usage: {
        uncachedInputTokens: 800,
        cacheReadTokens: 200,
        cacheWrite5mTokens: 0,
        cacheWrite1hTokens: 0,
        outputTokens: 300,
        reasoningTokens: 0,
        inputAudioTokens: 0,
        outputAudioTokens: 0,
        tierBasisTokens: 1000,
        webSearchRequests: 0,
      },
    };
    expect(pricer.price({ ...request, batch: true }).costUsd).toBe(F.OPENAI_CHAT_BATCH_COST);
    const cost = pricer.price({ ...request, batch: false }).costUsd;
    expect(cost).toBe("0.00525");
  });
});

describe("import anthropic-batch", () => {
  it("succeeded results priced at batch rates once; errored/expired recorded with zero tokens", async () => {
    const file = join(tempDir(), "msgbatch_results.jsonl");
    writeLines(file, [
      F.ANTHROPIC_SUCCEEDED_LINE,
      F.ANTHROPIC_ERRORED_LINE,
      F.ANTHROPIC_EXPIRED_LINE,
      { result: {} },
    ]);
    const ended = new Date("2026-11-05T08:30:00Z");
    utimesSync(file, ended, ended);
    const { summary, events } = await importInto(
      batchImporter(anthropicBatchFormat, { batchId: "msgbatch_01" }),
      file,
      {
        pricer,
      },
    );
    expect(events).toHaveLength(3);
    const ok = events.find((e) => e.status === "ok")!;
    expect(ok).toMatchObject({
      provider: "anthropic",
      model: "claude-3-5-haiku-20241022",
      operation: "messages",
      batch: true,
      costUsd: F.ANTHROPIC_BATCH_COST,
      metadata: { batchId: "msgbatch_01", customId: "my-first-request" },
    });
    expect(ok.usage).toMatchObject({
      uncachedInputTokens: 1000,
      cacheReadTokens: 2000,
      cacheWrite5mTokens: 400,
      outputTokens: 500,
    });
    expect(ok.timestamp).toEqual(ended); // results carry no time: the file's
    expect(events.find((e) => e.status === "error")).toMatchObject({
      errorType: "invalid_request_error",
      errorMessage: "max_tokens: Field required",
    });
    expect(events.find((e) => e.status === "aborted")).toMatchObject({ errorType: "Batchexpired" });
    expect(summary.malformedSamples).toEqual([
      expect.objectContaining({ line: 4, reason: expect.stringMatching(/^custom_id: missing/) }),
    ]);
  });
});

describe("import bedrock-batch", () => {
  it("records from a .jsonl.out priced with the job's model at batch rates; the prompt is not stored", async () => {
    const dir = tempDir();
    const file = join(dir, "input.jsonl.out");
    writeLines(file, [F.BEDROCK_OK_LINE, F.BEDROCK_ERROR_LINE]);
    writeLines(join(dir, "manifest.json.out"), [{ totalRecordCount: 2 }]);
    const importer = batchImporter(bedrockBatchFormat, { modelId: F.BEDROCK_MODEL, batchId: "job-1" });
    const { events } = await importInto(importer, dir, { pricer });
    expect(events).toHaveLength(2);
    expect(events.find((e) => e.status === "ok")).toMatchObject({
      provider: "bedrock",
      model: F.BEDROCK_MODEL,
      batch: true,
      costUsd: F.BEDROCK_BATCH_COST,
      metadata: { batchId: "job-1", recordId: "CALL0000001" },
    });
    expect(events.find((e) => e.status === "error")).toMatchObject({ httpStatus: 400 });
    expect(JSON.stringify(events)).not.toContain("SECRET PROMPT TEXT");
  });

  it("without the job's model id every record is reported, naming --model", async () => {
    const file = join(tempDir(), "input.jsonl.out");
    writeLines(file, [F.BEDROCK_OK_LINE]);
    const { summary, events } = await importInto(batchImporter(bedrockBatchFormat), file, { pricer });
    expect(events).toHaveLength(0);
    expect(summary.malformedSamples[0]!.reason).toContain("--model");
    expect(readFileSync(file, "utf8")).toContain("CALL0000001");
  });
});
