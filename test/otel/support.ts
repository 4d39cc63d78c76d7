import { context } from "@opentelemetry/api";
import type { TrackerOptions } from "tokenledger";
import { instrumentOtel, type OtelOptions } from "../../src/otel/index.js";
import { captureTracker } from "../helpers/capture.js";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  AggregationTemporality,
  MeterProvider,
  MetricReader,
  type DataPoint,
  type Histogram,
  type MetricData,
} from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from "@opentelemetry/sdk-trace-base";

/** A pull reader: `collect()` on demand, cumulative, like a Prometheus scrape. */
class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

export interface OtelHarness {
  readonly tracerProvider: BasicTracerProvider;
  readonly meterProvider: MeterProvider;
  spans(): ReadableSpan[];
  metrics(): Promise<Map<string, MetricData>>;
  close(): Promise<void>;
}

/** Real SDK providers with an in-memory span exporter and a pull metric reader. */
export function otelHarness(): OtelHarness {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const reader = new TestReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  return {
    tracerProvider,
    meterProvider,
    spans: () => exporter.getFinishedSpans(),
    metrics: async () => {
      const { resourceMetrics } = await reader.collect();
      const out = new Map<string, MetricData>();
      for (const scope of resourceMetrics.scopeMetrics)
        for (const m of scope.metrics) out.set(m.descriptor.name, m);
      return out;
    },
    close: async () => {
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
    },
  };
}

/** Install an AsyncLocalStorage context manager (what the Node SDK does), so active spans propagate. */
export function installContextManager(): () => void {
  const cm = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(cm);
  return () => {
    cm.disable();
    context.disable();
  };
}

/** Histogram points of one metric as `{attrs, count, sum}` for easy assertions. */
export function histogramPoints(
  m: MetricData | undefined,
): { attrs: Record<string, unknown>; count: number; sum: number }[] {
  if (!m) return [];
  return (m.dataPoints as DataPoint<Histogram>[]).map((p) => ({
    attrs: { ...p.attributes },
    count: p.value.count,
    sum: p.value.sum ?? 0,
  }));
}

/** A capture tracker with `tokenledger/otel` on; `flushed()` waits for storage and for span/metric conversion. */
export function instrumentedTracker(options: OtelOptions, trackerOptions: TrackerOptions = {}) {
  const t = captureTracker(trackerOptions);
  const handle = instrumentOtel(t.tracker, options);
  return {
    ...t,
    handle,
    flushed: async () => {
      const events = await t.flushed();
      await handle.flush();
      return events;
    },
  };
}
