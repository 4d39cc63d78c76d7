import type { LedgerEvent, TokenTracker } from "tokenledger";
import { TokenLedgerConfigError } from "tokenledger";
import { createBridge, type Bridge, type BridgeCounters } from "./bridge.js";
import { loadOtelApi } from "./load-api.js";
import { startOtlpExport, type OtlpExport } from "./otlp.js";
import { OTLP_ENDPOINT_ENV } from "./semconv.js";

export interface CliOtelOptions {
  /** `--otel-endpoint`. Without it, export runs only when an `OTEL_EXPORTER_OTLP_*ENDPOINT` variable is set. */
  readonly endpoint?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Where the one-time export failure report goes (the CLI's stderr). */
  readonly warn?: (message: string) => void;
}

export interface CliOtelExport {
  /** Spans and metrics for every event this tracker stores (the proxy's calls). */
  instrument(tracker: TokenTracker): void;
  /** The same storage, reporting what it stores: the server's ingest path writes to storage without a tracker. */
  watchStorage<S extends object>(storage: S): S;
  /** Convert what is queued, export it, stop. Never rejects. */
  stop(): Promise<void>;
}

/**
 * OTLP export for `tokenledger proxy` and `serve`. Off unless asked for: a flag or an endpoint variable, never
 * just because the OpenTelemetry packages happen to be installed. Asked for but impossible (packages missing,
 * malformed endpoint) is a setup error at start, not a silent no-op.
 */
export function startCliOtelExport(o: CliOtelOptions): CliOtelExport | undefined {
  const env = o.env ?? process.env;
  if (o.endpoint === undefined && !OTLP_ENDPOINT_ENV.some((v) => env[v])) return undefined;
  const loaded = loadOtelApi();
  if (!loaded.ok) throw new TokenLedgerConfigError(`--otel-endpoint: ${loaded.reason}`);
  const exporter = startOtlpExport({
    ...(o.endpoint !== undefined ? { endpoint: o.endpoint } : {}),
    logger: o.warn ? { warn: o.warn, error: o.warn } : false,
  });
  const counters: BridgeCounters = { spans: 0, metricEvents: 0, errors: 0, dropped: 0 };
  let reported = false;
  const bridge = createBridge(
    loaded.api,
    { tracerProvider: exporter.tracerProvider, meterProvider: exporter.meterProvider },
    counters,
    (err) => {
      if (reported) return;
      reported = true;
      o.warn?.(
        `tokenledger: OpenTelemetry conversion failed (${String(err)}); later failures are only counted`,
      );
    },
  );
  return cliExport(bridge, exporter);
}

function cliExport(bridge: Bridge, exporter: OtlpExport): CliOtelExport {
  const offs: (() => void)[] = [];
  const hand = (events: readonly LedgerEvent[]) =>
    bridge.listener.onStored(events.map((event) => ({ event, captured: undefined })));
  let stopped: Promise<void> | undefined;
  return {
    instrument: (tracker) => void offs.push(tracker.addRecordListener(bridge.listener)),
    watchStorage: (storage) => watchInserts(storage, hand),
    stop: () =>
      (stopped ??= (async () => {
        await bridge.idle();
        for (const off of offs.splice(0)) off();
        await exporter.shutdown();
      })()),
  };
}

type Insert = (events: readonly LedgerEvent[]) => Promise<readonly string[] | void>;

/**
 * A view of `storage` whose inserts also hand the stored events on; everything else is the target's. `insertNew`
 * (the server's ingest) reports only the ids it newly stored, so a retried batch is not exported twice;
 * `insertBatch` (a tracker's flush, as with `serve --proxy`) reports its whole batch, as a tracker listener would.
 */
function watchInserts<S extends object>(storage: S, hand: (events: readonly LedgerEvent[]) => void): S {
  return new Proxy(storage, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      if (prop !== "insertNew" && prop !== "insertBatch")
        return (value as (...a: unknown[]) => unknown).bind(target);
      return async (events: readonly LedgerEvent[]) => {
        const ids = await (value as Insert).call(target, events);
        try {
          const fresh = Array.isArray(ids) ? new Set(ids) : undefined;
          hand(fresh ? events.filter((e) => fresh.has(e.id)) : events);
        } catch {
          /* export must never fail an insert */
        }
        return ids;
      };
    },
  });
}
