import { guarded, reportSafely } from "../_shared/guard.js";
import type { UsageSink } from "../_shared/types.js";

/** A patched SDK method. */
export type Method = (this: unknown, ...args: unknown[]) => unknown;

/** How one wrapped Google SDK method is tracked, set up once a sink is active. */
export interface TrackedCall {
  /** Run the SDK method (inside the call's async scope where one is needed). */
  run(): unknown;
  /** Stage reported when `resolved` throws. */
  readonly resolvedStage: "gemini.succeed" | "gemini.stream-start";
  /** The SDK's promise resolved: a response to record, or a stream to observe. */
  resolved(value: unknown): void;
  /** The SDK method threw, or its promise rejected. */
  failed(error: unknown): void;
}

/**
 * The skeleton every Google wrapper shares. The SDK's own promise is returned untouched and observed on a
 * side channel (a plain Promise: nothing lazy is started early, errors reach the caller unchanged). If
 * setting up the tracking fails, the method runs untracked.
 */
export function runTracked(sink: UsageSink, start: () => TrackedCall, untracked: () => unknown): unknown {
  let tracked: TrackedCall;
  try {
    tracked = start();
  } catch (err) {
    reportSafely(sink, "gemini.start", err);
    return untracked();
  }
  let result: unknown;
  try {
    result = tracked.run();
  } catch (err) {
    guarded(sink, "gemini.fail", () => tracked.failed(err));
    throw err;
  }
  // Registered before the caller can await: a stream is observed before the caller first sees it.
  guarded(sink, "gemini.observe", () => {
    void (result as Promise<unknown>).then(
      (value) => guarded(sink, tracked.resolvedStage, () => tracked.resolved(value)),
      (err: unknown) => guarded(sink, "gemini.fail", () => tracked.failed(err)),
    );
  });
  return result;
}
