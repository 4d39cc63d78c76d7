import type { MeterProvider, SpanContext, Tracer, TracerProvider } from "@opentelemetry/api";
import type { RecordListener, StoredEvent } from "tokenledger";
import type { OtelApiModule } from "./load-api.js";
import { LedgerMetrics, type BudgetUtilization } from "./metrics.js";
import { metricNames, type MetricNames } from "./semconv.js";
import { emitSpan } from "./spans.js";
import { SliceQueue } from "./work-queue.js";

export interface BridgeOptions {
  /** Default: the global TracerProvider (a no-op until the host registers one). */
  readonly tracerProvider?: TracerProvider;
  /** Default: the global MeterProvider, looked up again per event so a late registration is picked up. */
  readonly meterProvider?: MeterProvider;
  /** Emit one span per call. Default true. */
  readonly spans?: boolean;
  /** Record the GenAI and cost metrics. Default true. */
  readonly metrics?: boolean;
  /** Read by the `tokenledger.budget.utilization` gauge on each collection. */
  readonly budgets?: () => Iterable<BudgetUtilization>;
  /** Default: from `OTEL_SEMCONV_STABILITY_OPT_IN`. */
  readonly metricNames?: MetricNames;
  /** Stored events waiting to become spans and metrics; beyond it new ones are dropped and counted. Default 4096. */
  readonly maxQueueSize?: number;
}

export interface BridgeCounters {
  spans: number;
  metricEvents: number;
  errors: number;
  dropped: number;
}

export interface Bridge {
  readonly listener: RecordListener<SpanContext | undefined>;
  /** Resolves when every stored event handed over so far is converted. */
  idle(): Promise<void>;
}

/**
 * Events converted per event-loop turn. Building a span and four metric points costs tens of µs in the OTel
 * SDK, so a 500-event batch converted at once would block the host's event loop for milliseconds.
 */
const SLICE = 32;

/**
 * The record listener behind `instrumentOtel()`. `capture` is the only code on the host's path: one read of
 * the active span context. Stored batches are queued (bounded) and converted a slice per event-loop turn.
 */
export function createBridge(
  api: OtelApiModule,
  options: BridgeOptions,
  counters: BridgeCounters,
  onError: (err: unknown) => void,
): Bridge {
  const spans = options.spans !== false;
  const metrics = options.metrics !== false;
  const tracerNow = tracerResolver(api, options.tracerProvider);
  const meters = metricsResolver(api, options, options.metricNames ?? metricNames());
  // Register the instruments (and the budget gauge) now, not at the first stored event.
  if (metrics) meters();

  const convert = ({ event, captured }: StoredEvent<SpanContext | undefined>): void => {
    try {
      if (spans) {
        emitSpan(api, tracerNow(), event, captured);
        counters.spans++;
      }
      if (metrics) {
        meters().record(event);
        counters.metricEvents++;
      }
    } catch (err) {
      counters.errors++;
      onError(err);
    }
  };
  const queue = new SliceQueue(convert, { max: options.maxQueueSize ?? 4096, slice: SLICE });
  const onStored = (events: readonly StoredEvent<SpanContext | undefined>[]): void => {
    queue.push(events);
    counters.dropped = queue.dropped;
  };

  return {
    listener: spans
      ? { capture: () => api.trace.getSpanContext(api.context.active()), onStored }
      : { onStored },
    idle: () => queue.idle(),
  };
}

/**
 * The tracer, from the provider resolved per event (one comparison when unchanged), never once at setup: an app
 * may import the API as ESM while we load its CommonJS copy, and each copy has its own proxy provider, so a proxy
 * taken before the host registers its SDK would never see it.
 */
function tracerResolver(api: OtelApiModule, fixed: TracerProvider | undefined): () => Tracer {
  let tracerFrom: TracerProvider | undefined;
  let tracer: Tracer | undefined;
  return () => {
    const provider = fixed ?? api.trace.getTracerProvider();
    if (provider !== tracerFrom || !tracer) {
      tracerFrom = provider;
      tracer = provider.getTracer("tokenledger");
    }
    return tracer;
  };
}

/** The metrics API has no proxy: re-resolve the global provider and rebuild the instruments when it changes. */
function metricsResolver(
  api: OtelApiModule,
  options: BridgeOptions,
  names: MetricNames,
): () => LedgerMetrics {
  let instruments: LedgerMetrics | undefined;
  return () => {
    const provider = options.meterProvider ?? api.metrics.getMeterProvider();
    if (instruments?.provider !== provider) instruments = new LedgerMetrics(provider, names, options.budgets);
    return instruments;
  };
}
