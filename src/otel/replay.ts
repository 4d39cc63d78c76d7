import type { LedgerEvent } from "tokenledger";
import { loadOtelApi } from "./load-api.js";
import { LedgerMetrics } from "./metrics.js";
import { metricNames } from "./semconv.js";
import { emitSpan } from "./spans.js";
import type { OtlpExport, OtlpExportStats } from "./otlp.js";

export interface ReplayOptions {
  /** Also record metrics (their timestamps are the replay time, not the events'). Default false. */
  readonly metrics?: boolean;
  /** Events handed to the span queue between forced exports; keep below the exporter's maxQueueSize. Default 1000. */
  readonly chunk?: number;
}

export interface ReplayResult extends OtlpExportStats {
  readonly events: number;
}

/**
 * Send stored events to an OTLP endpoint as GenAI spans, with their original start and end times. The queue
 * is drained every `chunk` events, so a history of any length replays in constant memory and nothing is
 * dropped for queue space. Used by `tokenledger otel export`.
 */
export async function replayEvents(
  events: AsyncIterable<LedgerEvent>,
  exp: OtlpExport,
  options: ReplayOptions = {},
): Promise<ReplayResult> {
  const loaded = loadOtelApi();
  if (!loaded.ok) throw new Error(loaded.reason);
  const tracer = exp.tracerProvider.getTracer("tokenledger");
  const meters = options.metrics ? new LedgerMetrics(exp.meterProvider, metricNames()) : undefined;
  const chunk = options.chunk ?? 1000;
  let n = 0;
  for await (const event of events) {
    emitSpan(loaded.api, tracer, event, undefined);
    meters?.record(event);
    if (++n % chunk === 0) await exp.forceFlush();
  }
  await exp.forceFlush();
  return { events: n, ...exp.stats() };
}
