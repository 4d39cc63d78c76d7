/**
 * A call made inside an active span gets its GenAI span as a child, through the real OpenAI SDK and the real
 * interceptor against a local server speaking OpenAI's wire format.
 */
import { createRequire } from "node:module";
import { trace } from "@opentelemetry/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openaiInterceptor } from "../../interceptors/openai/index.js";
import type { InterceptorEnv } from "../../interceptors/_shared/types.js";
import { startOpenAIServer, type OpenAIFakeServer } from "../helpers/openai-server.js";
import { installContextManager, instrumentedTracker, otelHarness, type OtelHarness } from "./support.js";

const require = createRequire(import.meta.url);
const openai = require("openai");

let server: OpenAIFakeServer;
let o: OtelHarness;
let uninstall: () => void;
beforeAll(async () => {
  server = await startOpenAIServer();
  o = otelHarness();
  uninstall = installContextManager();
});
afterAll(async () => {
  uninstall();
  await o.close();
  await server.close();
});

function setup() {
  const { tracker, flushed, handle } = instrumentedTracker({
    tracerProvider: o.tracerProvider,
    meterProvider: o.meterProvider,
  });
  const env: InterceptorEnv = {
    sink: () => ({
      record: (e) => tracker.record(e),
      reportInternalError: (stage, err) => tracker.reportInternalError(stage, err),
      reportAnomaly: (m) => tracker.reportAnomaly(m),
    }),
    options: { baseURLProviders: { "127.0.0.1": "openai" } },
    warnOnce: () => {},
  };
  const patched = openaiInterceptor.patchModule(openai, env);
  const client = new openai.OpenAI({ apiKey: "sk-test", baseURL: server.baseURL, maxRetries: 0 });
  return { tracker, flushed, client, handle, restore: () => patched?.restore() };
}

const messages = [{ role: "user" as const, content: "Hi" }];

describe("parent span", () => {
  it("a call inside an active span (plain and streamed) becomes its child; a call outside is a root", async () => {
    const { tracker, flushed, client, restore } = setup();
    const appTracer = o.tracerProvider.getTracer("app");
    let parentIds: { traceId: string; spanId: string } | undefined;
    await appTracer.startActiveSpan("handle-request", async (parent) => {
      parentIds = parent.spanContext();
      await client.chat.completions.create({ model: "gpt-4o", messages });
      const stream = await client.chat.completions.create({ model: "gpt-4o", messages, stream: true });
      for await (const _ of stream) void _;
      parent.end();
    });
    await client.chat.completions.create({ model: "gpt-4o-mini", messages });
    // Wait for the three events, then flush so the spans are built.
    for (let i = 0; i < 100 && (await flushed()).length < 3; i++) await new Promise((r) => setTimeout(r, 10));
    const genai = o.spans().filter((s) => s.attributes["gen_ai.provider.name"] === "openai");
    expect(genai).toHaveLength(3);
    const inside = genai.filter((s) => s.attributes["gen_ai.request.model"] === "gpt-4o");
    expect(inside).toHaveLength(2);
    for (const s of inside) {
      expect(s.spanContext().traceId).toBe(parentIds!.traceId);
      expect(s.parentSpanContext?.spanId).toBe(parentIds!.spanId);
    }
    expect(inside.map((s) => s.attributes["gen_ai.request.stream"]).sort()).toEqual([false, true]);
    const outside = genai.find((s) => s.attributes["gen_ai.request.model"] === "gpt-4o-mini")!;
    expect(outside.parentSpanContext).toBeUndefined();
    expect(outside.spanContext().traceId).not.toBe(parentIds!.traceId);
    // The interceptor's stored input tokens include OpenAI's cached tokens (fake server: 10,000 prompt, 8,000 cached).
    expect(inside[0]!.attributes["gen_ai.usage.input_tokens"]).toBe(10_000);
    expect(inside[0]!.attributes["gen_ai.usage.cache_read.input_tokens"]).toBe(8_000);
    restore();
    await tracker.shutdown();
  });

  it("the flush path's own active context never becomes the parent", async () => {
    const { tracker, flushed, restore } = setup();
    const appTracer = o.tracerProvider.getTracer("app");
    tracker.record({ provider: "openai", model: "gpt-4o", usage: { uncachedInputTokens: 1 } });
    // The flush is started inside an unrelated span: the event was recorded outside any span, so it stays a root.
    await appTracer.startActiveSpan("unrelated", async (s) => {
      await flushed();
      s.end();
    });
    const span = o
      .spans()
      .find(
        (x) =>
          x.attributes["gen_ai.request.model"] === "gpt-4o" && !x.attributes["gen_ai.usage.output_tokens"],
      );
    expect(span).toBeDefined();
    expect(span!.parentSpanContext).toBeUndefined();
    expect(trace.getActiveSpan()).toBeUndefined();
    restore();
    await tracker.shutdown();
  });
});
