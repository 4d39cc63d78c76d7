import type { PushMetricExporter, ResourceMetrics } from "@opentelemetry/sdk-metrics";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";

export interface ExportCounters {
  spansExported: number;
  spansFailed: number;
  metricExports: number;
  metricExportsFailed: number;
}

type Report = (what: string, err: unknown) => void;
interface ResultLike {
  readonly code: number;
  readonly error?: Error;
}
/** `ExportResultCode.SUCCESS` in @opentelemetry/core, copied to avoid one more peer. */
const SUCCESS = 0;

/** A span exporter that counts outcomes and reports the first failure; the result is passed on unchanged. */
export function countingSpanExporter(inner: SpanExporter, c: ExportCounters, report: Report): SpanExporter {
  return {
    export(spans: ReadableSpan[], done: (result: ResultLike) => void): void {
      inner.export(spans, (result) => {
        if (result.code === SUCCESS) c.spansExported += spans.length;
        else {
          c.spansFailed += spans.length;
          report("span", result.error ?? "unknown error");
        }
        done(result);
      });
    },
    shutdown: () => inner.shutdown(),
    ...(inner.forceFlush ? { forceFlush: () => (inner.forceFlush as () => Promise<void>)() } : {}),
  };
}

/** The same for metrics; aggregation and temporality choices are the inner exporter's. */
export function countingMetricExporter(
  inner: PushMetricExporter,
  c: ExportCounters,
  report: Report,
): PushMetricExporter {
  const wrapped: PushMetricExporter = {
    export(metrics: ResourceMetrics, done: (result: ResultLike) => void): void {
      inner.export(metrics, (result) => {
        if (result.code === SUCCESS) c.metricExports++;
        else {
          c.metricExportsFailed++;
          report("metric", result.error ?? "unknown error");
        }
        done(result);
      });
    },
    forceFlush: () => inner.forceFlush(),
    shutdown: () => inner.shutdown(),
  };
  if (inner.selectAggregationTemporality) {
    wrapped.selectAggregationTemporality = inner.selectAggregationTemporality.bind(inner);
  }
  if (inner.selectAggregation) wrapped.selectAggregation = inner.selectAggregation.bind(inner);
  return wrapped;
}
