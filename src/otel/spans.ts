import type { SpanContext, Tracer } from "@opentelemetry/api";
import type { LedgerEvent } from "tokenledger";
import type { OtelApiModule } from "./load-api.js";
import { spanAttributes, spanName } from "./attributes.js";

/**
 * One CLIENT span per stored event, built after the fact from the event's own start time and latency, so
 * interceptors and SDK return types stay untouched. The parent is the span that was active when the call
 * was recorded (captured in `record()`), never whatever context happens to be active in the flush path.
 */
export function emitSpan(
  api: OtelApiModule,
  tracer: Tracer,
  event: LedgerEvent,
  parent: SpanContext | undefined,
): void {
  const start = event.timestamp.getTime();
  const ctx = parent ? api.trace.setSpanContext(api.ROOT_CONTEXT, parent) : api.ROOT_CONTEXT;
  const span = tracer.startSpan(
    spanName(event),
    { kind: api.SpanKind.CLIENT, startTime: start, attributes: spanAttributes(event) },
    ctx,
  );
  if (event.status !== "ok") {
    // The message is a class, never the (possibly prompt-bearing) provider error text.
    span.setStatus({ code: api.SpanStatusCode.ERROR, message: event.errorType ?? event.status });
  }
  span.end(start + (event.latencyMs ?? 0));
}
