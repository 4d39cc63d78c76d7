/**
 * The 1.x SDK has its own OpenTelemetry tracing, on by default, which changes what `create` returns internally
 * (an `_thenUnwrap` APIPromise, and a stream wrapped to end its span). Recording must be identical with that
 * tracing off, on with the default no-op provider (the other tests), and on with a real provider exporting spans.
 */
import Anthropic from "@anthropic-ai/sdk";
import * as sdk from "@anthropic-ai/sdk";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import type { LedgerEvent } from "tokenledger";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { message, messageEvents, sleep } from "../../helpers/anthropic-server.js";
import { BASE_PARAMS, createHarness, type Harness } from "./harness.js";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
  h.patch(sdk);
});
afterAll(() => h.close());

async function recorded(fn: () => Promise<void>): Promise<LedgerEvent[]> {
  const before = (await h.events()).length;
  await fn();
  await h.waitFor(before + 1);
  await sleep(15);
  return (await h.events()).slice(before);
}

async function exercise(client: Anthropic): Promise<LedgerEvent[]> {
  return recorded(async () => {
    h.server.enqueue({ kind: "json", body: message({ usage: { input_tokens: 21, output_tokens: 4 } }) });
    await client.messages.create(BASE_PARAMS);
    h.server.enqueue({
      kind: "sse",
      events: messageEvents({
        start: { input_tokens: 22, output_tokens: 1 },
        deltas: [{ output_tokens: 5 }],
      }),
    });
    const stream = await client.messages.create({ ...BASE_PARAMS, stream: true });
    for await (const _ of stream) void _;
    h.server.enqueue({ kind: "json", body: message({ usage: { input_tokens: 23, output_tokens: 6 } }) });
    const raw = await client.messages.create(BASE_PARAMS).asResponse();
    expect(JSON.parse(await raw.text()).usage.input_tokens).toBe(23);
    await h.waitFor(3);
  });
}

describe("alongside the SDK's own OpenTelemetry tracing", () => {
  it("tracing off (openTelemetry: false)", async () => {
    const client = new Anthropic({
      apiKey: "sk-ant-test-key-000000000000",
      baseURL: h.server.url,
      maxRetries: 0,
      openTelemetry: false,
    });
    const got = await exercise(client);
    expect(got.map((e) => [e.usage.uncachedInputTokens, e.usage.outputTokens])).toEqual([
      [21, 4],
      [22, 5],
      [23, 6],
    ]);
  });

  it("tracing on with a real provider: the SDK still exports its spans and every call is recorded once", async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const client = new Anthropic({
      apiKey: "sk-ant-test-key-000000000000",
      baseURL: h.server.url,
      maxRetries: 0,
      openTelemetry: { tracerProvider: provider },
    });
    const got = await exercise(client);
    expect(got.map((e) => e.usage.outputTokens)).toEqual([4, 5, 6]);
    await provider.forceFlush();
    expect(exporter.getFinishedSpans().length).toBeGreaterThanOrEqual(3);
  });
});
