import { createRequire } from "node:module";
import type { MeterProvider, TracerProvider } from "@opentelemetry/api";
import type * as TraceExporterModule from "@opentelemetry/exporter-trace-otlp-http";
import type * as MetricExporterModule from "@opentelemetry/exporter-metrics-otlp-http";
import type * as ResourcesModule from "@opentelemetry/resources";
import type * as MetricsModule from "@opentelemetry/sdk-metrics";
import type * as TraceModule from "@opentelemetry/sdk-trace-base";
import { TokenLedgerConfigError, type Logger } from "tokenledger";
import { countingMetricExporter, countingSpanExporter, type ExportCounters } from "./counting-exporters.js";

export interface OtlpExportOptions {
  /**
   * OTLP/HTTP base URL (`http://collector:4318`); `/v1/traces` and `/v1/metrics` are appended.
   * Default: `OTEL_EXPORTER_OTLP_ENDPOINT`, then the exporters' own defaults (and their signal-specific
   * `OTEL_EXPORTER_OTLP_{TRACES,METRICS}_ENDPOINT` and `OTEL_EXPORTER_OTLP_HEADERS` variables).
   */
  readonly endpoint?: string;
  /** Extra request headers, for example an API key header for a hosted backend. Never logged. */
  readonly headers?: Readonly<Record<string, string>>;
  /** `service.name` of the exported resource. Default `OTEL_SERVICE_NAME`, then `tokenledger`. */
  readonly serviceName?: string;
  /** Spans held while the collector is slow or down; newer spans are dropped beyond it. Default 2048. */
  readonly maxQueueSize?: number;
  /** Default 512. */
  readonly maxExportBatchSize?: number;
  /** Delay between span exports. Default 1000 ms. */
  readonly scheduledDelayMillis?: number;
  /** Per-request export timeout. Default 10000 ms. */
  readonly exportTimeoutMillis?: number;
  /** Metric export interval. Default 60000 ms. */
  readonly metricExportIntervalMillis?: number;
  /** Where the one-time export failure report goes. Default: console; `false` for silence. */
  readonly logger?: Logger | false;
  /** @internal Module loader, replaced in tests. */
  readonly require?: (id: string) => unknown;
}

export interface OtlpExportStats {
  readonly spansExported: number;
  readonly spansFailed: number;
  readonly metricExportsFailed: number;
  readonly metricExports: number;
}

export interface OtlpExport {
  readonly tracerProvider: TracerProvider;
  readonly meterProvider: MeterProvider;
  stats(): OtlpExportStats;
  /** Export everything pending now. Never rejects. */
  forceFlush(): Promise<void>;
  /** Flush and stop. Idempotent, never rejects. */
  shutdown(): Promise<void>;
}

const PEERS = [
  "@opentelemetry/sdk-trace-base",
  "@opentelemetry/sdk-metrics",
  "@opentelemetry/resources",
  "@opentelemetry/exporter-trace-otlp-http",
  "@opentelemetry/exporter-metrics-otlp-http",
];

/**
 * Set up OTLP/HTTP (JSON) export for a process that runs no OpenTelemetry SDK of its own (the CLI, a script).
 * Returns providers to pass to `instrumentOtel(tracker, { tracerProvider, meterProvider })`; the global
 * providers are left alone. An unreachable collector never blocks or breaks recording: spans wait in a
 * bounded queue, failed exports are counted and reported once.
 */
export function startOtlpExport(options: OtlpExportOptions = {}): OtlpExport {
  // The endpoint first: a malformed one is reported even where the SDK is not installed.
  const base = resolveEndpoint(options.endpoint);
  if (base === undefined) checkSignalEndpoints();
  const mods = loadSdk(options.require ?? createRequire(import.meta.url));
  const shared = sharedSetup(mods, options, base);
  const tracerProvider = spanPipeline(mods, shared, options);
  const meterProvider = metricPipeline(mods, shared, options);
  let stopped: Promise<void> | undefined;
  return {
    tracerProvider,
    meterProvider,
    stats: () => ({ ...shared.counters }),
    forceFlush: () =>
      Promise.allSettled([tracerProvider.forceFlush(), meterProvider.forceFlush()]).then(() => undefined),
    shutdown: () =>
      (stopped ??= Promise.allSettled([tracerProvider.shutdown(), meterProvider.shutdown()]).then(
        () => undefined,
      )),
  };
}

/** What the span and metric pipelines share: endpoint, headers, timeout, resource, counters, one report. */
interface Shared {
  readonly base: string | undefined;
  readonly headers: Record<string, string> | undefined;
  readonly timeoutMillis: number;
  readonly resource: ReturnType<typeof ResourcesModule.resourceFromAttributes>;
  readonly counters: ExportCounters;
  readonly report: (what: string, err: unknown) => void;
}

function sharedSetup(mods: SdkModules, options: OtlpExportOptions, base: string | undefined): Shared {
  return {
    base,
    headers: options.headers ? { ...options.headers } : undefined,
    timeoutMillis: options.exportTimeoutMillis ?? 10_000,
    resource: mods.resources.resourceFromAttributes({
      "service.name": options.serviceName ?? (process.env.OTEL_SERVICE_NAME || "tokenledger"),
    }),
    counters: { spansExported: 0, spansFailed: 0, metricExports: 0, metricExportsFailed: 0 },
    report: reportOnce(options.logger),
  };
}

/** Exporter options for one signal (`traces` or `metrics`). */
function exporterConfig(s: Shared, signal: string) {
  return {
    ...(s.base ? { url: `${s.base}/v1/${signal}` } : {}),
    ...(s.headers ? { headers: s.headers } : {}),
    timeoutMillis: s.timeoutMillis,
  };
}

/** Spans go through a BatchSpanProcessor: its queue is the bound (beyond maxQueueSize new spans are dropped). */
function spanPipeline(mods: SdkModules, s: Shared, options: OtlpExportOptions) {
  const exporter = new mods.traceExporter.OTLPTraceExporter(exporterConfig(s, "traces"));
  return new mods.trace.BasicTracerProvider({
    resource: s.resource,
    spanProcessors: [
      new mods.trace.BatchSpanProcessor(countingSpanExporter(exporter, s.counters, s.report), {
        maxQueueSize: options.maxQueueSize ?? 2048,
        maxExportBatchSize: options.maxExportBatchSize ?? 512,
        scheduledDelayMillis: options.scheduledDelayMillis ?? 1000,
        exportTimeoutMillis: s.timeoutMillis,
      }),
    ],
  });
}

function metricPipeline(mods: SdkModules, s: Shared, options: OtlpExportOptions) {
  const exporter = new mods.metricExporter.OTLPMetricExporter(exporterConfig(s, "metrics"));
  return new mods.metrics.MeterProvider({
    resource: s.resource,
    readers: [
      new mods.metrics.PeriodicExportingMetricReader({
        exporter: countingMetricExporter(exporter, s.counters, s.report),
        exportIntervalMillis: options.metricExportIntervalMillis ?? 60_000,
        exportTimeoutMillis: s.timeoutMillis,
      }),
    ],
  });
}

/** The base URL, validated: a malformed endpoint is a setup error naming where it came from. */
export function resolveEndpoint(option: string | undefined): string | undefined {
  const fromEnv = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const [raw, source] =
    option !== undefined
      ? [option, "the endpoint option"]
      : [fromEnv || undefined, "OTEL_EXPORTER_OTLP_ENDPOINT"];
  return raw === undefined ? undefined : checkedUrl(raw, source);
}

/**
 * Without a base endpoint the exporters read `OTEL_EXPORTER_OTLP_{TRACES,METRICS}_ENDPOINT` themselves, and
 * quietly fall back to localhost:4318 when one is malformed: checked here so the variable is named instead.
 */
function checkSignalEndpoints(): void {
  for (const name of ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"]) {
    const raw = process.env[name];
    if (raw) checkedUrl(raw, name);
  }
}

function checkedUrl(raw: string, source: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TokenLedgerConfigError(
      `${source} is not a URL: "${raw}" (expected e.g. http://127.0.0.1:4318)`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TokenLedgerConfigError(`${source} must be an http:// or https:// URL, got "${url.protocol}"`);
  }
  if (url.username || url.password) {
    throw new TokenLedgerConfigError(`${source} must not carry credentials; pass them as headers`);
  }
  return url.href.replace(/\/+$/, "");
}

interface SdkModules {
  readonly trace: typeof TraceModule;
  readonly metrics: typeof MetricsModule;
  readonly resources: typeof ResourcesModule;
  readonly traceExporter: typeof TraceExporterModule;
  readonly metricExporter: typeof MetricExporterModule;
}

function loadSdk(req: (id: string) => unknown): SdkModules {
  const load = <T>(id: string): T => {
    try {
      return req(id) as T;
    } catch (err) {
      const code = (err as { code?: string } | null)?.code;
      if (code === "MODULE_NOT_FOUND" || code === "ERR_MODULE_NOT_FOUND") {
        throw new TokenLedgerConfigError(
          `OTLP export needs "${id}". Install the OpenTelemetry SDK 2.x line (Node 20 compatible): ` +
            `npm install ${PEERS.join(" ")} --save-exact with sdk 2.12 / exporters 0.223`,
          { cause: err },
        );
      }
      throw err;
    }
  };
  return {
    trace: load(PEERS[0] as string),
    metrics: load(PEERS[1] as string),
    resources: load(PEERS[2] as string),
    traceExporter: load(PEERS[3] as string),
    metricExporter: load(PEERS[4] as string),
  };
}

function reportOnce(logger: Logger | false | undefined): (what: string, err: unknown) => void {
  let reported = false;
  const log: Logger | undefined = logger === false ? undefined : (logger ?? console);
  return (what, err) => {
    if (reported) return;
    reported = true;
    try {
      log?.warn(
        `tokenledger: OTLP ${what} export failed (${String((err as Error)?.message ?? err)}); ` +
          "recording continues, later failures are only counted",
      );
    } catch {
      /* a broken logger must not break export */
    }
  };
}
