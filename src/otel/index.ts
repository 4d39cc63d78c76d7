/**
 * `tokenledger/otel`: every stored ledger event as an OpenTelemetry GenAI span and metrics.
 *
 * Depends only on `@opentelemetry/api` (optional peer) and uses the host's global providers, so it adds
 * nothing when the host runs no OpenTelemetry SDK, and does nothing (and never throws) when the API is
 * not installed. For a process without its own SDK (the CLI, scripts), `startOtlpExport()` sets one up.
 * @module
 */
import { currentTracker, TokenLedgerConfigError, type TokenTracker } from "tokenledger";
import { createBridge, type BridgeCounters, type BridgeOptions } from "./bridge.js";
import { loadOtelApi } from "./load-api.js";

export type { BridgeOptions as OtelOptions } from "./bridge.js";
export type { BudgetUtilization } from "./metrics.js";
export type { MetricNames } from "./semconv.js";
export { GENAI, TL, METRICS_V1_41, METRICS_LATEST, metricNames } from "./semconv.js";
export { spanAttributes, spanName, costAttributes, commonAttributes } from "./attributes.js";
export type { Attributes, AttributeValue } from "./attributes.js";
export { startOtlpExport } from "./otlp.js";
export type { OtlpExport, OtlpExportOptions, OtlpExportStats } from "./otlp.js";

export interface OtelStats {
  readonly spans: number;
  /** Events turned into metric points. */
  readonly metricEvents: number;
  /** Events that failed to convert; counted, reported once through the tracker, never thrown. */
  readonly errors: number;
  /** Events not converted because the conversion queue was full (`maxQueueSize`). */
  readonly dropped: number;
}

export interface OtelHandle {
  /** False when `@opentelemetry/api` is missing: nothing is emitted and `reason` says why. */
  readonly active: boolean;
  readonly reason?: string;
  stats(): OtelStats;
  /**
   * Resolves when every event stored so far is turned into spans and metrics (handed to the providers;
   * exporting is the providers' job: call their `forceFlush()` after this). Call `tracker.flush()` first.
   */
  flush(): Promise<void>;
  /** Stop emitting. Idempotent. */
  stop(): void;
}

/**
 * Emit a span and metrics for every event `tracker` stores (default: the tracker from `track()`).
 * The call path pays one read of the active span context per call; spans and metrics are built in the
 * flush path, after storage accepted the batch.
 */
export function instrumentOtel(tracker?: TokenTracker, options: BridgeOptions = {}): OtelHandle {
  const t = tracker ?? currentTracker();
  if (!t) {
    throw new TokenLedgerConfigError(
      "instrumentOtel(): no tracker. Call track() first, or pass a TokenTracker as the first argument.",
    );
  }
  const counters: BridgeCounters = { spans: 0, metricEvents: 0, errors: 0, dropped: 0 };
  const stats = (): OtelStats => ({ ...counters });
  const loaded = loadOtelApi();
  if (!loaded.ok) {
    return { active: false, reason: loaded.reason, stats, flush: () => Promise.resolve(), stop: () => {} };
  }
  const bridge = createBridge(loaded.api, options, counters, (err) => t.reportInternalError("otel", err));
  const off = t.addRecordListener(bridge.listener);
  return { active: true, stats, flush: () => bridge.idle(), stop: off };
}
export { replayEvents } from "./replay.js";
export { startCliOtelExport } from "./cli-export.js";
export type { CliOtelExport, CliOtelOptions } from "./cli-export.js";
export type { ReplayOptions, ReplayResult } from "./replay.js";
