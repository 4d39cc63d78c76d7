import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordBatchResults } from "tokenledger";
import { defaultPricer } from "../../src/pricing/index.js";
import { captureTracker } from "../helpers/capture.js";
import * as F from "./fixtures.js";

// The SDK path: an application downloads a finished batch's results with the real provider SDK and hands
// them to recordBatchResults(). A local server speaks the batch endpoints' wire format.
const require = createRequire(import.meta.url);
const { OpenAI } = require("openai");
const Anthropic = require("@anthropic-ai/sdk").default;

let server: Server;
let base = "";
const jsonl = (lines: object[]) => lines.map((l) => JSON.stringify(l)).join("\n") + "\n";

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0];
    req.resume();
    const json = (body: unknown) => {
      res.writeHead(200, {
        "content-type": "application/json",
        "x-request-id": "req_1",
        "request-id": "req_1",
      });
      res.end(JSON.stringify(body));
    };
    switch (path) {
      case "/v1/batches/batch_abc123":
        return json({
          id: "batch_abc123",
          object: "batch",
          endpoint: "/v1/chat/completions",
          status: "completed",
          output_file_id: "file-out",
          completed_at: 1793880600,
          request_counts: { total: 3, completed: 2, failed: 1 },
        });
      case "/v1/files/file-out/content":
        res.writeHead(200, { "content-type": "application/octet-stream" });
        return res.end(jsonl([F.OPENAI_CHAT_LINE, F.OPENAI_EMBEDDING_LINE, F.OPENAI_FAILED_LINE]));
      case "/v1/messages/batches/msgbatch_01":
        return json({
          id: "msgbatch_01",
          type: "message_batch",
          processing_status: "ended",
          ended_at: "2026-11-05T08:30:00Z",
          results_url: `${base}/v1/messages/batches/msgbatch_01/results`,
          request_counts: { succeeded: 1, errored: 1, expired: 1, canceled: 0, processing: 0 },
        });
      case "/v1/messages/batches/msgbatch_01/results":
        res.writeHead(200, { "content-type": "application/binary" });
        return res.end(
          jsonl([F.ANTHROPIC_SUCCEEDED_LINE, F.ANTHROPIC_ERRORED_LINE, F.ANTHROPIC_EXPIRED_LINE]),
        );
      default:
        res.writeHead(404, { "content-type": "application/json" });
        return res.end(JSON.stringify({ error: { message: `no route ${path}` } }));
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe("recordBatchResults() with results downloaded through the SDK", () => {
  it("OpenAI: files.content(batch.output_file_id) → one event per request at batch rates, exactly once", async () => {
    const { tracker, flushed } = captureTracker({ pricer: defaultPricer() });
    const client = new OpenAI({ apiKey: "sk-test", baseURL: `${base}/v1`, maxRetries: 0 });
    const batch = await client.batches.retrieve("batch_abc123");
    const text = await (await client.files.content(batch.output_file_id)).text();
    const summary = await recordBatchResults("openai", text, {
      batchId: batch.id,
      endedAt: batch.completed_at,
      tracker,
    });
    expect(summary).toEqual({ events: 3, malformed: [] });
    await recordBatchResults("openai", text, { batchId: batch.id, tracker }); // downloaded twice
    const events = await flushed();
    expect(events).toHaveLength(3);
    expect(events.find((e) => e.operation === "chat")).toMatchObject({
      batch: true,
      costUsd: F.OPENAI_CHAT_BATCH_COST,
      metadata: { batchId: "batch_abc123", customId: "request-1" },
    });
    expect(events.find((e) => e.operation === "embeddings")!.timestamp).toEqual(new Date(1793880600 * 1000));
    await tracker.shutdown();
  });

  it("Anthropic: messages.batches.results(id) → succeeded priced at batch rates; errored/expired with zero tokens", async () => {
    const { tracker, flushed } = captureTracker({ pricer: defaultPricer() });
    const client = new Anthropic({ apiKey: "sk-ant-test", baseURL: base, maxRetries: 0 });
    const batch = await client.messages.batches.retrieve("msgbatch_01");
    const results = await client.messages.batches.results(batch.id);
    const summary = await recordBatchResults("anthropic", results, {
      batchId: batch.id,
      endedAt: batch.ended_at,
      tracker,
    });
    expect(summary.events).toBe(3);
    const events = await flushed();
    expect(events.map((e) => e.status).sort()).toEqual(["aborted", "error", "ok"]);
    const ok = events.find((e) => e.status === "ok")!;
    expect(ok).toMatchObject({
      costUsd: F.ANTHROPIC_BATCH_COST,
      batch: true,
      model: "claude-3-5-haiku-20241022",
    });
    expect(ok.timestamp).toEqual(new Date("2026-11-05T08:30:00Z"));
    await tracker.shutdown();
  });

  it("bad input: an unknown provider or a Bedrock call without the job's model names the option", async () => {
    const { tracker } = captureTracker();
    await expect(recordBatchResults("vertex" as never, "", { tracker })).rejects.toThrow(/provider "vertex"/);
    await expect(recordBatchResults("bedrock", "", { tracker })).rejects.toThrow(/options\.modelId/);
    await expect(recordBatchResults("openai", "", { tracker, endedAt: "soon" })).rejects.toThrow(
      /options\.endedAt "soon"/,
    );
    await tracker.shutdown();
  });
});
