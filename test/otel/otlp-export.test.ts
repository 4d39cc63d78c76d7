/**
 * OTLP/HTTP export to a local collector stand-in: what arrives is decoded from the wire and checked, and a
 * collector that is down, failing or hanging never blocks or breaks recording.
 */
import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { TokenLedgerConfigError } from "tokenledger";
import { startOtlpExport, type OtlpExport } from "../../src/otel/index.js";
import { instrumentedTracker } from "./support.js";
import { startOtlpReceiver, type OtlpReceiver } from "./otlp-receiver.js";

const EVENT = {
  provider: "anthropic",
  operation: "messages",
  requestedModel: "claude-sonnet-4-5",
  model: "claude-sonnet-4-5-20250929",
  latencyMs: 420,
  usage: { uncachedInputTokens: 100, cacheReadTokens: 1000, cacheWrite1hTokens: 300, outputTokens: 50 },
  costUsd: "0.0049",
  attribution: { teamId: "search" },
};

let receiver: OtlpReceiver | undefined;
let exp: OtlpExport | undefined;
afterEach(async () => {
  await exp?.shutdown();
  await receiver?.close();
  exp = undefined;
  receiver = undefined;
});

function silentLog() {
  const lines: string[] = [];
  return {
    lines,
    logger: { warn: (m: string) => void lines.push(m), error: (m: string) => void lines.push(m) },
  };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe("OTLP/HTTP export", () => {
  it("spans and metrics arrive intact at the collector, with headers and service name", async () => {
    receiver = await startOtlpReceiver();
    exp = startOtlpExport({
      endpoint: `${receiver.url}/`,
      headers: { "x-api-key": "k-123" },
      serviceName: "billing-api",
      logger: false,
    });
    const { tracker, flushed } = instrumentedTracker({
      tracerProvider: exp.tracerProvider,
      meterProvider: exp.meterProvider,
    });
    tracker.record(EVENT);
    tracker.record(EVENT);
    const [first] = await flushed();
    await exp.forceFlush();

    const trace = receiver.requests.find((r) => r.path === "/v1/traces")!;
    expect(trace.contentType).toBe("application/json");
    expect(trace.headers["x-api-key"]).toBe("k-123");
    const resourceAttrs = trace.body.resourceSpans[0].resource.attributes;
    expect(resourceAttrs).toContainEqual({ key: "service.name", value: { stringValue: "billing-api" } });

    const spans = receiver.spans();
    expect(spans).toHaveLength(2);
    expect(spans[0]!.name).toBe("chat claude-sonnet-4-5");
    expect(spans[0]!.kind).toBe(3); // SPAN_KIND_CLIENT on the wire
    expect(spans[0]!.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "anthropic",
      "gen_ai.usage.input_tokens": 1400,
      "gen_ai.usage.cache_read.input_tokens": 1000,
      "gen_ai.usage.cache_creation.input_tokens": 300,
      "gen_ai.usage.output_tokens": 50,
      "tokenledger.cost_usd": "0.0049",
      "tokenledger.team": "search",
      "tokenledger.event_id": first!.id,
    });

    const metrics = receiver.metrics();
    const input = metrics
      .get("gen_ai.client.token.usage")!
      .find((p) => p.attributes["gen_ai.token.type"] === "input");
    expect(Number(input.count)).toBe(2);
    expect(input.sum).toBe(2800);
    const cost = metrics.get("tokenledger.cost.usage")!;
    expect(cost[0].asDouble).toBeCloseTo(0.0098, 12);
    expect(exp.stats()).toMatchObject({ spansExported: 2, spansFailed: 0, metricExportsFailed: 0 });
    await tracker.shutdown();
  });

  it("a collector that is down: every event is still stored, the failure is counted and reported once", async () => {
    const port = await closedPort();
    const log = silentLog();
    exp = startOtlpExport({
      endpoint: `http://127.0.0.1:${port}`,
      logger: log.logger,
      exportTimeoutMillis: 2000,
    });
    const { tracker, flushed } = instrumentedTracker({
      tracerProvider: exp.tracerProvider,
      meterProvider: exp.meterProvider,
    });
    for (let i = 0; i < 20; i++) tracker.record(EVENT);
    expect(await flushed()).toHaveLength(20);
    await exp.forceFlush();
    for (let i = 0; i < 5; i++) tracker.record(EVENT);
    expect(await flushed()).toHaveLength(25);
    await exp.forceFlush();
    const s = exp.stats();
    expect(s.spansExported).toBe(0);
    expect(s.spansFailed).toBe(25);
    expect(s.metricExportsFailed).toBeGreaterThanOrEqual(1);
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]).toMatch(/OTLP (span|metric) export failed .*recording continues/);
    expect(tracker.stats().internalErrors).toEqual({});
    await tracker.shutdown();
  });

  it("a hanging collector never holds up recording; the span queue is bounded", async () => {
    receiver = await startOtlpReceiver();
    receiver.hang = true;
    exp = startOtlpExport({
      endpoint: receiver.url,
      logger: false,
      maxQueueSize: 10,
      maxExportBatchSize: 5,
      scheduledDelayMillis: 10,
      exportTimeoutMillis: 300,
    });
    const { tracker, flushed } = instrumentedTracker({
      tracerProvider: exp.tracerProvider,
      meterProvider: exp.meterProvider,
    });
    const t0 = performance.now();
    for (let i = 0; i < 200; i++) tracker.record(EVENT);
    expect(await flushed()).toHaveLength(200);
    await exp.forceFlush();
    const s = exp.stats();
    // At most the queue (10) plus one batch (5) in flight per 300 ms export timeout that passed ever reached the
    // exporter; the rest were dropped, not held. (A loaded machine converts slower, so more timeouts can pass.)
    const timeouts = Math.ceil((performance.now() - t0) / 300);
    expect(s.spansExported + s.spansFailed).toBeLessThanOrEqual(10 + 5 * timeouts);
    expect(s.spansExported + s.spansFailed).toBeLessThan(200);
    expect(s.spansExported).toBe(0);
    await tracker.shutdown();
  });

  it("OTEL_EXPORTER_OTLP_ENDPOINT is the default endpoint", async () => {
    receiver = await startOtlpReceiver();
    const saved = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
    try {
      exp = startOtlpExport({ logger: false });
    } finally {
      if (saved === undefined) delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
      else process.env.OTEL_EXPORTER_OTLP_ENDPOINT = saved;
    }
    const { tracker, flushed } = instrumentedTracker({
      tracerProvider: exp.tracerProvider,
      meterProvider: exp.meterProvider,
    });
    tracker.record(EVENT);
    await flushed();
    await exp.forceFlush();
    expect(receiver.spans()).toHaveLength(1);
    expect(receiver.requests.map((r) => r.path).sort()).toEqual(["/v1/metrics", "/v1/traces"]);
    await tracker.shutdown();
  });

  it("a malformed endpoint is a setup error naming where it came from", () => {
    expect(() => startOtlpExport({ endpoint: "collector:4318" })).toThrow(TokenLedgerConfigError);
    expect(() => startOtlpExport({ endpoint: "not a url" })).toThrow(/the endpoint option is not a URL/);
    expect(() => startOtlpExport({ endpoint: "ftp://127.0.0.1:4318" })).toThrow(/http:\/\/ or https:\/\//);
    expect(() => startOtlpExport({ endpoint: "http://user:pw@127.0.0.1:4318" })).toThrow(/credentials/);
    const withEnv = (name: string, value: string, check: () => void) => {
      const saved = process.env[name];
      process.env[name] = value;
      try {
        check();
      } finally {
        if (saved === undefined) delete process.env[name];
        else process.env[name] = saved;
      }
    };
    withEnv("OTEL_EXPORTER_OTLP_ENDPOINT", "::bad::", () =>
      expect(() => startOtlpExport()).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT is not a URL/),
    );
    // The exporters would silently fall back to localhost:4318 for a malformed signal endpoint.
    withEnv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "not a url", () =>
      expect(() => startOtlpExport()).toThrow(/OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is not a URL/),
    );
    withEnv("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "ftp://x", () =>
      expect(() => startOtlpExport()).toThrow(/OTEL_EXPORTER_OTLP_METRICS_ENDPOINT must be an http/),
    );
  });

  it("a missing SDK package is a setup error with the install line", () => {
    const req = (id: string) => {
      throw Object.assign(new Error(`Cannot find module '${id}'`), { code: "MODULE_NOT_FOUND" });
    };
    expect(() => startOtlpExport({ require: req })).toThrow(
      /OTLP export needs "@opentelemetry\/sdk-trace-base".*npm install/,
    );
  });
});
