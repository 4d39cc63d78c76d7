import { metrics, trace } from "@opentelemetry/api";
import { afterEach, describe, expect, it } from "vitest";
import { instrumentOtel } from "../../src/otel/index.js";
import { captureTracker } from "../helpers/capture.js";
import { otelHarness, type OtelHarness } from "./support.js";

const EVENT = {
  provider: "vertex",
  operation: "generate_content",
  model: "gemini-2.5-pro",
  latencyMs: 900,
  usage: { uncachedInputTokens: 40, outputTokens: 12 },
  costUsd: "0.00017",
};

let o: OtelHarness | undefined;
afterEach(async () => {
  trace.disable();
  metrics.disable();
  await o?.close();
});

describe("the host's global providers", () => {
  it("are used by default, including providers registered after instrumentOtel()", async () => {
    const { tracker, flushed } = captureTracker();
    const handle = instrumentOtel(tracker);
    expect(handle.active).toBe(true);
    // Registered late, as an app that sets up its SDK after importing tokenledger.
    o = otelHarness();
    trace.setGlobalTracerProvider(o.tracerProvider);
    metrics.setGlobalMeterProvider(o.meterProvider);
    tracker.record(EVENT);
    await flushed();
    await handle.flush();
    expect(o.spans().map((s) => s.name)).toEqual(["generate_content gemini-2.5-pro"]);
    expect(o.spans()[0]!.attributes["gen_ai.provider.name"]).toBe("gcp.vertex_ai");
    const m = await o.metrics();
    expect(m.get("tokenledger.cost.usage")?.dataPoints[0]?.value).toBeCloseTo(0.00017, 12);
    await tracker.shutdown();
  });

  it("with none registered, nothing is emitted and nothing fails", async () => {
    const { tracker, flushed, storage } = captureTracker();
    const handle = instrumentOtel(tracker);
    tracker.record(EVENT);
    await flushed();
    await handle.flush();
    expect(storage.stored).toHaveLength(1);
    expect(handle.stats()).toMatchObject({ errors: 0 });
    expect(tracker.stats().internalErrors).toEqual({});
    await tracker.shutdown();
  });

  it("without a tracker, instrumentOtel() is a setup error that says what to do", () => {
    expect(() => instrumentOtel()).toThrow(/call track\(\) first, or pass a TokenTracker/i);
  });
});
