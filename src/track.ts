import { Instrumentation, type InstrumentationReport } from "../interceptors/registry.js";
import type { InterceptorOptions, UsageSink } from "../interceptors/_shared/types.js";
import { consoleLogger, SafeLogger, silentLogger } from "./core/logger.js";
import type { TrackerOptions } from "./core/options.js";
import { TokenTracker } from "./core/tracker.js";
import { checkInterceptorOptions } from "./interceptor-options.js";

export interface TrackOptions extends TrackerOptions {
  /** Patch installed provider SDKs. Default true. */
  readonly instrument?: boolean;
  /** Interceptor behaviour (stream usage injection, Azure deployment map, base-URL providers, Bedrock ARNs). */
  readonly interceptors?: InterceptorOptions;
}

// Process-wide state lives on a global symbol, shared by the ESM and CJS builds of tokenledger.
interface ProcessState {
  tracker?: TokenTracker;
  instrumentation?: Instrumentation;
  ready?: Promise<InstrumentationReport>;
  interceptorOptions: InterceptorOptions;
  log: SafeLogger;
}
const KEY = Symbol.for("tokenledger.process");
const g = globalThis as typeof globalThis & { [KEY]?: ProcessState };
const state: ProcessState = (g[KEY] ??= { interceptorOptions: {}, log: new SafeLogger(consoleLogger) });

/**
 * Start tracking: returns the process-wide tracker (idempotent) and patches every installed provider SDK.
 * The CommonJS and ESM copies of the SDKs are patched before `track()` returns on Node 20.19+ / 22.12+
 * (`require(esm)`), so the call on the next line is recorded. On older Node the ESM copies are patched
 * asynchronously: there, `await instrumentationReady()` (or start with `node --import tokenledger/register`).
 */
export function track(options?: TrackOptions): TokenTracker {
  if (state.tracker) {
    if (options) state.log.warnOnce("track-twice", "track() was already called; the new options are ignored");
    return state.tracker;
  }
  const { instrument = true, interceptors = {}, ...trackerOptions } = options ?? {};
  checkInterceptorOptions(interceptors);
  const tracker = new TokenTracker(trackerOptions);
  state.tracker = tracker;
  state.interceptorOptions = interceptors;
  state.log = new SafeLogger(options?.logger === false ? silentLogger : (options?.logger ?? consoleLogger));
  if (instrument) ensureInstrumentation(true);
  return tracker;
}

/** The process-wide tracker, if `track()` was called. */
export function currentTracker(): TokenTracker | undefined {
  return state.tracker;
}

/** Resolves when every installed SDK (CommonJS and ESM copies) is patched. */
export function instrumentationReady(): Promise<InstrumentationReport> {
  return state.ready ?? Promise.resolve({ patched: [], skipped: [] });
}

/**
 * Patch one client, SDK class or module explicitly: works without loader flags in bundlers and Next.js.
 * Only that target is patched (nothing else is loaded). Records go to the process-wide tracker, so call
 * `track({ instrument: false })` (or `track()`) first. Returns false when the target is not a supported SDK object.
 */
export function instrument(target: unknown): boolean {
  return ensureInstrumentation(false).instrument(target);
}

/** Restore the SDKs' original methods and shut the process-wide tracker down. */
export async function untrack(): Promise<void> {
  state.instrumentation?.disable();
  state.instrumentation = undefined;
  state.ready = undefined;
  const tracker = state.tracker;
  state.tracker = undefined;
  await tracker?.shutdown();
}

/** Restore the SDKs' original methods; the tracker keeps running. */
export function unpatch(): void {
  state.instrumentation?.disable();
  state.instrumentation = undefined;
  state.ready = undefined;
}

function ensureInstrumentation(patchInstalled: boolean): Instrumentation {
  if (!state.instrumentation) {
    const sink = (): UsageSink | undefined => state.tracker;
    state.instrumentation = new Instrumentation({
      sink,
      get options() {
        return state.interceptorOptions;
      },
      warnOnce: (key, message) => state.log.warnOnce(key, message),
    });
  }
  if (patchInstalled && !state.ready) {
    state.ready = state.instrumentation.enable().catch(() => ({ patched: [], skipped: [] }));
  }
  return state.instrumentation;
}
