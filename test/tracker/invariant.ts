import { expect } from "vitest";
import type { TokenTracker } from "tokenledger";

/** P34: every accepted event is persisted, dropped for a counted reason, or still queued. */
export function expectAccounted(tracker: TokenTracker): void {
  const s = tracker.stats();
  const dropped = Object.values(s.dropped).reduce((a, b) => a + b, 0);
  expect(s.recorded).toBe(s.persisted + dropped + s.queueDepth);
}

export function memoryLogger() {
  const warns: string[] = [];
  const errors: string[] = [];
  return {
    warns,
    errors,
    logger: { warn: (m: string) => warns.push(m), error: (m: string) => errors.push(m) },
  };
}
