import type { NormalizedUsage } from "../../src/core/buckets.js";
import { fromBedrockConverseUsage } from "../../src/usage/index.js";

/**
 * Observes ConverseStream events. The `metadata` event (after `messageStop`) carries the whole call's
 * `TokenUsage` once; nothing before it has counts, so a stream cut before it has no usage.
 */
export class ConverseStreamObserver {
  usage: NormalizedUsage | undefined;
  serviceTier: string | undefined;
  /** From `messageStop`, for gen_ai.response.finish_reasons. */
  stopReason: unknown;
  complete = false;

  /** Returns true when the event is model output (for time-to-first-token). */
  observe(event: unknown): boolean {
    if (!event || typeof event !== "object") return false;
    const e = event as {
      metadata?: { usage?: unknown; serviceTier?: { type?: unknown } };
      contentBlockDelta?: unknown;
      contentBlockStart?: unknown;
      messageStop?: { stopReason?: unknown };
    };
    if (e.messageStop) this.stopReason = e.messageStop.stopReason;
    if (e.metadata) {
      if (e.metadata.usage) this.usage = fromBedrockConverseUsage(e.metadata.usage);
      const tier = e.metadata.serviceTier?.type;
      if (typeof tier === "string") this.serviceTier = tier;
      this.complete = true;
    }
    return e.contentBlockDelta !== undefined || e.contentBlockStart !== undefined;
  }
}
