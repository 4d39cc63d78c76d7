import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ExportResultCode, type ExportResult } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import { TokenTracker } from "tokenledger";
import { sqliteStorage } from "tokenledger/sqlite";
import { providerRequestEventId } from "../../src/proxy/otlp/index.js";
import { captureTracker } from "../helpers/capture.js";
import { fixture, startReceiver, type Receiver } from "./support.js";

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function receiver(tracker: TokenTracker): Promise<Receiver> {
  const r = await startReceiver(tracker);
  cleanup.push(() => r.close());
  return r;
}

function memoryTracker(): TokenTracker {
  const { tracker } = captureTracker();
  cleanup.push(() => tracker.shutdown().then(() => undefined));
  return tracker;
}

describe("OTLP receiver with the real OpenTelemetry SDK exporters as clients", () => {
  it("the OTLP/HTTP trace exporter (JSON) gets SUCCESS", async () => {
    const r = await receiver(memoryTracker());
    const spans = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
    provider.getTracer("t").startSpan("work").end();
    const exporter = new OTLPTraceExporter({ url: `${r.url}/v1/traces` });
    const result = await new Promise<ExportResult>((resolve) =>
      exporter.export(spans.getFinishedSpans(), resolve),
    );
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    await exporter.shutdown();
    await provider.shutdown();
  });

  it("protobuf traces serialised by @opentelemetry/otlp-transformer are acknowledged with a protobuf response", async () => {
    const r = await receiver(memoryTracker());
    const spans = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
    provider.getTracer("t").startSpan("work").end();
    const body = ProtobufTraceSerializer.serializeRequest(spans.getFinishedSpans())!;
    const res = await r.post("/v1/traces", Buffer.from(body), { "content-type": "application/x-protobuf" });
    expect(res.status).toBe(200);
    const answer = ProtobufTraceSerializer.deserializeResponse(new Uint8Array(await res.arrayBuffer()));
    expect(Number(answer.partialSuccess?.rejectedSpans ?? 0)).toBe(0);
    await provider.shutdown();
  });

  it("the OTLP/HTTP metric exporter (JSON) gets SUCCESS", async () => {
    const r = await receiver(memoryTracker());
    const exporter = new OTLPMetricExporter({ url: `${r.url}/v1/metrics` });
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
    const meters = new MeterProvider({ readers: [reader] });
    meters.getMeter("m").createCounter("claude_code.token.usage").add(5, { type: "input" });
    const results: ExportResult[] = [];
    const original = exporter.export.bind(exporter);
    exporter.export = (metrics, cb) => original(metrics, (res) => (results.push(res), cb(res)));
    await reader.forceFlush();
    expect(results.map((x) => x.code)).toEqual([ExportResultCode.SUCCESS]);
    await meters.shutdown();
  });
});

describe("OTLP receiver into a real SQLite ledger", () => {
  it("stores the Claude Code call once however often it is exported, and once more only for another request", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tl-otlp-sqlite-"));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const storage = sqliteStorage({ path: join(dir, "ledger.db") });
    const tracker = new TokenTracker({ logger: false, autoFlushOnExit: false, storage });
    cleanup.push(() => tracker.shutdown().then(() => undefined));
    const r = await receiver(tracker);
    for (let i = 0; i < 3; i++) expect((await r.post("/v1/logs", fixture("logs.json"))).status).toBe(200);
    // The proxy's row for the same call (same id rule) arriving after the receiver's.
    tracker.record({
      id: providerRequestEventId("anthropic", "req_011CTest000000000002"),
      provider: "anthropic",
      model: "claude-sonnet-4-6",
      usage: { uncachedInputTokens: 123, outputTokens: 45 },
    });
    tracker.record({ provider: "anthropic", model: "claude-sonnet-4-6", usage: { outputTokens: 1 } });
    await tracker.flush({ timeoutMs: 5000 });
    const rows = [];
    for await (const e of storage.events({})) rows.push(e);
    expect(rows).toHaveLength(2);
    const otlp = rows.find((e) => e.requestId === "req_011CTest000000000002")!;
    expect(otlp.usage.uncachedInputTokens).toBe(123);
    expect(otlp.usage.outputTokens).toBe(45);
    expect(otlp.costUsd).toBe("0.00108735");
    expect(otlp.metadata?.source).toBe("otlp");
  });
});
