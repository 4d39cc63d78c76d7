import type { InterceptorEnv, UsageSink } from "./types.js";

/**
 * Run our own bookkeeping so that nothing it throws reaches the caller. Failures go to the sink; a sink
 * whose error reporting throws as well is ignored, never allowed to break the SDK call.
 */
export function guarded(sink: UsageSink, stage: string, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    reportSafely(sink, stage, err);
  }
}

export function reportSafely(sink: UsageSink, stage: string, err: unknown): void {
  try {
    sink.reportInternalError(stage, err);
  } catch {
    /* the sink itself is broken; the SDK call must still go on */
  }
}

/** The sink to record into, or undefined when tracking is off or the sink getter itself throws. */
export function sinkOrNone(env: InterceptorEnv): UsageSink | undefined {
  try {
    return env.sink();
  } catch {
    return undefined;
  }
}
