import type { MeterProvider, SpanContext, Tracer, TracerProvider } from "@opentelemetry/api";
import type { RecordListener, StoredEvent } from "tokenledger";
import type { OtelApiModule } from "./load-api.js";
import { LedgerMetrics, type BudgetUtilization } from "./metrics.js";
import { metricNames, type MetricNames } from "./semconv.js";
import { emitSpan } from "./spans.js";

export interface BridgeOptions {
  /** Default: the global TracerProvider (a no-op until the host registers one). */
  readonly tracerProvider?: TracerProvider;
  /** Default: the global MeterProvider, looked up again on each batch so a late registration is picked up. */
  readonly meterProvider?: MeterProvider;
  /** Emit one span per call. Default true. */
  readonly spans?: boolean;
  /** Record the GenAI and cost metrics. Default true. */
  readonly metrics?: boolean;
  /** Read by the `tokenledger.budget.utilization` gauge on each collection. */
  readonly budgets?: () => Iterable<BudgetUtilization>;
  /** Default: from `OTEL_SEMCONV_STABILITY_OPT_IN`. */
  readonly metricNames?: MetricNames;
}

export interface BridgeCounters {
  spans: number;
  metricEvents: number;
  errors: number;
}

/**
 * The record listener behind `instrumentOtel()`. `capture` is the only code on the host's path: one read of
 * the active span context. Everything else runs in the tracker's flush path, after the batch is stored.
 */
export function createBridge(
  api: OtelApiModule,
  options: BridgeOptions,
  counters: BridgeCounters,
  onError: (err: unknown) => void,
): RecordListener<SpanContext | undefined> {
  const spans = options.spans !== false;
  const metrics = options.metrics !== false;
  const names = options.metricNames ?? metricNames();
  // The global tracer is a proxy that follows a provider registered later; an explicit provider is used as is.
  const tracer: Tracer = (options.tracerProvider ?? api.trace.getTracerProvider()).getTracer("tokenledger");
  let instruments: LedgerMetrics | undefined;
  // The metrics API has no proxy: re-resolve the global provider per batch (one comparison) and rebuild the
  // instruments when the host registers or swaps it.
  const meters = (): LedgerMetrics => {
    const provider = options.meterProvider ?? api.metrics.getMeterProvider();
    if (instruments?.provider !== provider) instruments = new LedgerMetrics(provider, names, options.budgets);
    return instruments;
  };

  const onStored = (events: readonly StoredEvent<SpanContext | undefined>[]): void => {
    const m = metrics ? meters() : undefined;
    for (const { event, captured } of events) {
      try {
        if (spans) {
          emitSpan(api, tracer, event, captured);
          counters.spans++;
        }
        if (m) {
          m.record(event);
          counters.metricEvents++;
        }
      } catch (err) {
        counters.errors++;
        onError(err);
      }
    }
  };

  return spans ? { capture: () => api.trace.getSpanContext(api.context.active()), onStored } : { onStored };
}
