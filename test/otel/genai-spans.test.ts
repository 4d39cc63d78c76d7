import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import type { UsageEventInput } from "tokenledger";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LedgerMetrics } from "../../src/otel/metrics.js";
import { METRICS_V1_41 } from "../../src/otel/semconv.js";
import { ledgerEvent } from "../contract/ledger-events.js";
import { histogramPoints, instrumentedTracker, otelHarness, type OtelHarness } from "./support.js";

const START = Date.UTC(2026, 11, 1, 10, 0, 0);

/** What each provider's interceptor hands to `record()`, in the ledger's disjoint buckets. */
const FIXTURES: Record<string, UsageEventInput> = {
  "OpenAI chat with a cache hit and reasoning": {
    provider: "openai",
    operation: "chat",
    requestedModel: "gpt-4o",
    model: "gpt-4o-2024-08-06",
    timestamp: START,
    latencyMs: 1234,
    requestId: "req_abc",
    responseId: "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG",
    finishReasons: ["stop"],
    usage: { uncachedInputTokens: 2000, cacheReadTokens: 8000, outputTokens: 500, reasoningTokens: 200 },
    costUsd: "0.02",
    attribution: {
      userId: "u-1",
      teamId: "search",
      projectId: "p-9",
      feature: "summaries",
      costCenter: "cc-7",
    },
  },
  "Anthropic messages with 5-minute and 1-hour cache writes": {
    provider: "anthropic",
    operation: "messages",
    requestedModel: "claude-sonnet-4-5",
    model: "claude-sonnet-4-5-20250929",
    timestamp: START,
    latencyMs: 800,
    streamed: true,
    timeToFirstTokenMs: 250,
    responseId: "msg_01XFDUDYJgAACzvnptvVoYEL",
    finishReasons: ["end_turn"],
    usage: {
      uncachedInputTokens: 100,
      cacheReadTokens: 1000,
      cacheWrite5mTokens: 200,
      cacheWrite1hTokens: 300,
      outputTokens: 50,
    },
    costUsd: "0.0052575",
  },
  "Gemini generate_content with thinking": {
    provider: "gemini",
    operation: "generate_content",
    model: "gemini-2.5-flash",
    timestamp: START,
    latencyMs: 2000,
    responseId: "bJBHaJ2gCZ6cz7IPqPm0oAQ",
    finishReasons: ["STOP"],
    usage: { uncachedInputTokens: 120, outputTokens: 80, reasoningTokens: 30 },
    costUsd: "0.000236",
  },
  "Bedrock Converse with a cache read and write": {
    provider: "bedrock",
    operation: "converse",
    model: "anthropic.claude-3-5-haiku-20241022-v1:0",
    timestamp: START,
    latencyMs: 400,
    // Converse has no answer id; its stop reason is the only response field.
    finishReasons: ["end_turn"],
    usage: { uncachedInputTokens: 50, cacheReadTokens: 10, cacheWrite5mTokens: 5, outputTokens: 20 },
    costUsd: "0.0001268",
  },
};

const EXPECTED: Record<string, Record<string, unknown>> = {
  "OpenAI chat with a cache hit and reasoning": {
    "gen_ai.operation.name": "chat",
    "gen_ai.provider.name": "openai",
    "gen_ai.request.model": "gpt-4o",
    "gen_ai.response.model": "gpt-4o-2024-08-06",
    "gen_ai.response.id": "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG",
    "gen_ai.response.finish_reasons": ["stop"],
    "gen_ai.request.stream": false,
    // OpenAI's prompt_tokens already includes cached tokens: 2,000 fresh + 8,000 cached.
    "gen_ai.usage.input_tokens": 10000,
    "gen_ai.usage.output_tokens": 500,
    "gen_ai.usage.cache_read.input_tokens": 8000,
    "gen_ai.usage.reasoning.output_tokens": 200,
    "tokenledger.provider": "openai",
    "tokenledger.operation": "chat",
    "tokenledger.cost_usd": "0.02",
    "tokenledger.cost_usd_value": 0.02,
    "tokenledger.price_source": "provided",
    "tokenledger.request_id": "req_abc",
    "tokenledger.user": "u-1",
    "tokenledger.team": "search",
    "tokenledger.project": "p-9",
    "tokenledger.feature": "summaries",
    "tokenledger.cost_center": "cc-7",
  },
  "Anthropic messages with 5-minute and 1-hour cache writes": {
    "gen_ai.operation.name": "chat",
    "gen_ai.provider.name": "anthropic",
    "gen_ai.request.model": "claude-sonnet-4-5",
    "gen_ai.response.model": "claude-sonnet-4-5-20250929",
    "gen_ai.response.id": "msg_01XFDUDYJgAACzvnptvVoYEL",
    "gen_ai.response.finish_reasons": ["end_turn"],
    "gen_ai.request.stream": true,
    "gen_ai.response.time_to_first_chunk": 0.25,
    // Anthropic reports the buckets apart; the spec wants them summed: 100 + 1,000 + 200 + 300.
    "gen_ai.usage.input_tokens": 1600,
    "gen_ai.usage.output_tokens": 50,
    "gen_ai.usage.cache_read.input_tokens": 1000,
    "gen_ai.usage.cache_creation.input_tokens": 500,
    "tokenledger.provider": "anthropic",
    "tokenledger.operation": "messages",
    "tokenledger.cost_usd": "0.0052575",
    "tokenledger.cost_usd_value": 0.0052575,
    "tokenledger.price_source": "provided",
  },
  "Gemini generate_content with thinking": {
    "gen_ai.operation.name": "generate_content",
    "gen_ai.provider.name": "gcp.gemini",
    "gen_ai.request.model": "gemini-2.5-flash",
    "gen_ai.response.model": "gemini-2.5-flash",
    "gen_ai.response.id": "bJBHaJ2gCZ6cz7IPqPm0oAQ",
    "gen_ai.response.finish_reasons": ["STOP"],
    "gen_ai.request.stream": false,
    "gen_ai.usage.input_tokens": 120,
    // Thinking tokens are billed as output: included in output_tokens and reported apart as well.
    "gen_ai.usage.output_tokens": 80,
    "gen_ai.usage.reasoning.output_tokens": 30,
    "tokenledger.provider": "gemini",
    "tokenledger.operation": "generate_content",
    "tokenledger.cost_usd": "0.000236",
    "tokenledger.cost_usd_value": 0.000236,
    "tokenledger.price_source": "provided",
  },
  "Bedrock Converse with a cache read and write": {
    "gen_ai.operation.name": "chat",
    "gen_ai.provider.name": "aws.bedrock",
    "gen_ai.request.model": "anthropic.claude-3-5-haiku-20241022-v1:0",
    "gen_ai.response.model": "anthropic.claude-3-5-haiku-20241022-v1:0",
    "gen_ai.response.finish_reasons": ["end_turn"],
    "gen_ai.request.stream": false,
    "gen_ai.usage.input_tokens": 65,
    "gen_ai.usage.output_tokens": 20,
    "gen_ai.usage.cache_read.input_tokens": 10,
    "gen_ai.usage.cache_creation.input_tokens": 5,
    "tokenledger.provider": "bedrock",
    "tokenledger.operation": "converse",
    "tokenledger.cost_usd": "0.0001268",
    "tokenledger.cost_usd_value": 0.0001268,
    "tokenledger.price_source": "provided",
  },
};

let o: OtelHarness;
beforeEach(() => {
  o = otelHarness();
});
afterEach(async () => {
  await o.close();
});

function setup() {
  return instrumentedTracker({ tracerProvider: o.tracerProvider, meterProvider: o.meterProvider });
}

describe("one GenAI CLIENT span per stored event", () => {
  for (const [name, input] of Object.entries(FIXTURES)) {
    it(`${name}: the exact attribute set, name, kind and timing`, async () => {
      const { tracker, flushed, handle } = setup();
      tracker.record(input);
      const [event] = await flushed();
      const [span] = o.spans();
      expect(span).toBeDefined();
      expect(span!.attributes).toEqual({ ...EXPECTED[name], "tokenledger.event_id": event!.id });
      expect(span!.name).toBe(
        `${EXPECTED[name]!["gen_ai.operation.name"]} ${EXPECTED[name]!["gen_ai.request.model"]}`,
      );
      expect(span!.kind).toBe(SpanKind.CLIENT);
      expect(span!.status.code).toBe(SpanStatusCode.UNSET);
      // Start and end come from the event, not from when the flush ran.
      const startMs = span!.startTime[0] * 1000 + span!.startTime[1] / 1e6;
      const endMs = span!.endTime[0] * 1000 + span!.endTime[1] / 1e6;
      expect(startMs).toBe(START);
      expect(endMs - startMs).toBeCloseTo(input.latencyMs as number, 3);
      expect(handle.stats()).toEqual({ spans: 1, metricEvents: 1, errors: 0, dropped: 0 });
      await tracker.shutdown();
    });
  }

  it("a failed call: error.type, the HTTP status and an ERROR status, never the provider's message", async () => {
    const { tracker, flushed } = setup();
    tracker.record({
      provider: "openai",
      requestedModel: "gpt-4o",
      status: "error",
      errorType: "RateLimitError",
      httpStatus: 429,
      errorMessage: "Rate limit reached for prompt 'tell me a secret'",
      latencyMs: 50,
      usageSource: "missing",
    });
    await flushed();
    const [span] = o.spans();
    expect(span!.attributes["error.type"]).toBe("RateLimitError");
    expect(span!.attributes["http.response.status_code"]).toBe(429);
    expect(span!.status).toEqual({ code: SpanStatusCode.ERROR, message: "RateLimitError" });
    // No usage was reported: no token attributes, rather than zeros that would look like a free call.
    expect(span!.attributes["gen_ai.usage.input_tokens"]).toBeUndefined();
    // A failed call without usage costs exactly 0 (issue 10): not unpriced, so `report` does not nag `prices check`.
    expect(span!.attributes["tokenledger.unpriced"]).toBeUndefined();
    expect(span!.attributes["tokenledger.cost_usd"]).toBe("0");
    expect(JSON.stringify([span!.attributes, span!.status, span!.events, span!.name])).not.toContain(
      "secret",
    );
    await tracker.shutdown();
  });

  it("a stream cut short is flagged incomplete with the counts that were seen", async () => {
    const { tracker, flushed } = setup();
    tracker.record({
      provider: "anthropic",
      model: "claude-sonnet-4-5",
      streamed: true,
      status: "aborted",
      usageSource: "partial",
      usage: { uncachedInputTokens: 10, outputTokens: 3 },
      costUsd: "0.000075",
    });
    await flushed();
    const a = o.spans()[0]!.attributes;
    expect(a["tokenledger.incomplete"]).toBe(true);
    expect(a["tokenledger.usage_source"]).toBe("partial");
    expect(a["error.type"]).toBe("aborted");
    expect(a["gen_ai.usage.output_tokens"]).toBe(3);
    await tracker.shutdown();
  });

  it("never exports prompt text, completion text or metadata values", async () => {
    const { tracker, flushed } = setup();
    tracker.record({
      ...FIXTURES["OpenAI chat with a cache hit and reasoning"]!,
      metadata: { prompt: "PROMPT-CANARY", note: "META-CANARY" },
      errorMessage: "ERROR-CANARY",
    });
    await flushed();
    const dump = JSON.stringify(o.spans().map((s) => s.attributes));
    expect(dump).not.toMatch(/CANARY/);
    await tracker.shutdown();
  });
});

describe("conversion queue", () => {
  it("converts a large stored batch a slice per event-loop turn, not in one block", async () => {
    const { tracker, handle } = instrumentedTracker(
      { tracerProvider: o.tracerProvider, meterProvider: o.meterProvider },
      { maxBatchSize: 500 },
    );
    for (let i = 0; i < 200; i++) tracker.record(FIXTURES["Gemini generate_content with thinking"]!);
    await tracker.flush();
    // Storage took all 200 in one batch; conversion has only started.
    expect(handle.stats().spans).toBeLessThan(200);
    await handle.flush();
    expect(handle.stats().spans).toBe(200);
    await tracker.shutdown();
  });

  it("is bounded: beyond maxQueueSize events are dropped and counted, and storage keeps every one", async () => {
    const { tracker, handle, storage } = instrumentedTracker(
      { tracerProvider: o.tracerProvider, meterProvider: o.meterProvider, maxQueueSize: 10 },
      { maxBatchSize: 500 },
    );
    for (let i = 0; i < 50; i++) tracker.record(FIXTURES["Gemini generate_content with thinking"]!);
    await tracker.flush();
    await handle.flush();
    expect(storage.stored).toHaveLength(50);
    expect(handle.stats()).toMatchObject({ spans: 10, dropped: 40 });
    expect(o.spans()).toHaveLength(10);
    await tracker.shutdown();
  });
});

describe("metrics", () => {
  it("token usage by type (input including cache), duration in seconds with the spec's buckets, cost in USD", async () => {
    const { tracker, flushed } = setup();
    tracker.record(FIXTURES["Anthropic messages with 5-minute and 1-hour cache writes"]!);
    tracker.record(FIXTURES["Anthropic messages with 5-minute and 1-hour cache writes"]!);
    tracker.record(FIXTURES["OpenAI chat with a cache hit and reasoning"]!);
    await flushed();
    const m = await o.metrics();

    const tokens = histogramPoints(m.get("gen_ai.client.token.usage"));
    const anthropicInput = tokens.find(
      (p) => p.attrs["gen_ai.provider.name"] === "anthropic" && p.attrs["gen_ai.token.type"] === "input",
    );
    expect(anthropicInput).toMatchObject({ count: 2, sum: 3200 });
    expect(anthropicInput!.attrs).toEqual({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "anthropic",
      "gen_ai.request.model": "claude-sonnet-4-5",
      "gen_ai.response.model": "claude-sonnet-4-5-20250929",
      "gen_ai.token.type": "input",
    });
    expect(
      tokens.find(
        (p) => p.attrs["gen_ai.provider.name"] === "openai" && p.attrs["gen_ai.token.type"] === "output",
      ),
    ).toMatchObject({ count: 1, sum: 500 });
    const tokenMetric = m.get("gen_ai.client.token.usage")!;
    expect(tokenMetric.descriptor.unit).toBe("{token}");
    expect(
      (tokenMetric.dataPoints[0]!.value as { buckets: { boundaries: number[] } }).buckets.boundaries,
    ).toEqual([1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864]);

    const duration = histogramPoints(m.get("gen_ai.client.operation.duration"));
    expect(duration.find((p) => p.attrs["gen_ai.provider.name"] === "openai")).toMatchObject({
      count: 1,
      sum: 1.234,
    });
    expect(m.get("gen_ai.client.operation.duration")!.descriptor.unit).toBe("s");

    const ttfc = histogramPoints(m.get("gen_ai.client.operation.time_to_first_chunk"));
    expect(ttfc).toHaveLength(1);
    expect(ttfc[0]).toMatchObject({ count: 2, sum: 0.5 });

    const cost = m.get("tokenledger.cost.usage")!;
    expect(cost.descriptor.unit).toBe("USD");
    const byProvider = Object.fromEntries(
      cost.dataPoints.map((p) => [p.attributes["gen_ai.provider.name"], p.value as number]),
    );
    expect(byProvider.anthropic).toBeCloseTo(0.010515, 12);
    expect(byProvider.openai).toBeCloseTo(0.02, 12);
    // The user id is unbounded: kept on spans, never a metric dimension.
    const openaiCost = cost.dataPoints.find((p) => p.attributes["gen_ai.provider.name"] === "openai")!;
    expect(openaiCost.attributes["tokenledger.user"]).toBeUndefined();
    expect(openaiCost.attributes["tokenledger.team"]).toBe("search");
    await tracker.shutdown();
  });

  it("a sampled event counts its weight in the cost total", async () => {
    const { tracker, flushed } = setup();
    tracker.record({ ...FIXTURES["Gemini generate_content with thinking"]! });
    await flushed();
    // sampleRate is a tracker option; emulate what one stored event at weight 4 means through a second tracker.
    const sampled = instrumentedTracker(
      { tracerProvider: o.tracerProvider, meterProvider: o.meterProvider },
      { sampleRate: 0.25 },
    );
    let stored = 0;
    for (let i = 0; i < 400 && stored === 0; i++) {
      sampled.tracker.record({ ...FIXTURES["Gemini generate_content with thinking"]!, costUsd: "1" });
      stored = (await sampled.flushed()).length;
    }
    const span = o.spans().at(-1)!;
    expect(span.attributes["tokenledger.sample_weight"]).toBe(4);
    const cost = (await o.metrics()).get("tokenledger.cost.usage")!;
    expect(cost.dataPoints[0]!.value).toBeCloseTo(4.000236, 9);
    await tracker.shutdown();
    await sampled.tracker.shutdown();
  });

  it("the budget-utilisation gauge reports what the budgets callback returns", async () => {
    const { tracker, flushed } = instrumentedTracker({
      meterProvider: o.meterProvider,
      spans: false,
      budgets: () => [
        { budgetId: "team-search-monthly", utilization: 0.82 },
        { budgetId: "org-daily", utilization: 0.1 },
      ],
    });
    tracker.record(FIXTURES["Gemini generate_content with thinking"]!);
    await flushed();
    const gauge = (await o.metrics()).get("tokenledger.budget.utilization")!;
    expect(gauge.dataPoints.map((p) => [p.attributes["tokenledger.budget_id"], p.value])).toEqual([
      ["team-search-monthly", 0.82],
      ["org-daily", 0.1],
    ]);
    expect(o.spans()).toHaveLength(0);
    await tracker.shutdown();
  });

  it("OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental switches the token metric name", async () => {
    const saved = process.env.OTEL_SEMCONV_STABILITY_OPT_IN;
    process.env.OTEL_SEMCONV_STABILITY_OPT_IN = "http, gen_ai_latest_experimental";
    try {
      const { tracker, flushed } = setup();
      tracker.record(FIXTURES["Gemini generate_content with thinking"]!);
      await flushed();
      const m = await o.metrics();
      expect(m.has("gen_ai.client.inference.tokens")).toBe(true);
      expect(m.has("gen_ai.client.token.usage")).toBe(false);
      await tracker.shutdown();
    } finally {
      if (saved === undefined) delete process.env.OTEL_SEMCONV_STABILITY_OPT_IN;
      else process.env.OTEL_SEMCONV_STABILITY_OPT_IN = saved;
    }
  });
});

describe("sample weights in metrics", () => {
  let h: OtelHarness;
  beforeEach(() => {
    h = otelHarness();
  });
  afterEach(() => h.close());

  it("counters add value × weight; histograms record once and carry the weight for exact scaling", async () => {
    const m = new LedgerMetrics(h.meterProvider, METRICS_V1_41);
    const usage = {
      ...ledgerEvent().usage,
      uncachedInputTokens: 100,
      cacheReadTokens: 0,
      cacheWrite5mTokens: 0,
    };
    const base = {
      usage: { ...usage, cacheWrite1hTokens: 0, outputTokens: 10 },
      costUsd: "0.5",
      latencyMs: 200,
    };
    m.record(ledgerEvent({ ...base, sampleWeight: 1 }));
    m.record(ledgerEvent({ ...base, sampleWeight: 2.5 }));
    const metrics = await h.metrics();
    const total = metrics.get("tokenledger.token.usage")!.dataPoints;
    const inputTotal = total.find((p) => p.attributes["gen_ai.token.type"] === "input")!;
    expect(inputTotal.value).toBe(100 + 250); // one series: the weight is not a counter dimension
    expect(metrics.get("tokenledger.cost.usage")!.dataPoints[0]!.value).toBeCloseTo(0.5 + 1.25, 12);
    const hist = histogramPoints(metrics.get("gen_ai.client.token.usage")).filter(
      (p) => p.attrs["gen_ai.token.type"] === "input",
    );
    expect(hist.map((p) => [p.attrs["tokenledger.sample_weight"], p.count, p.sum])).toEqual([
      [undefined, 1, 100],
      [2.5, 1, 100],
    ]);
  });
});
