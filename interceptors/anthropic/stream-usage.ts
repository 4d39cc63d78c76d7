import type { CallOutcome } from "../_shared/call.js";
import { fromAnthropicUsage, mergeAnthropicStreamUsage } from "../../src/usage/index.js";
import { asRecord, stringOrNull } from "./message-usage.js";
import { anthropicMeta } from "../_shared/response-meta.js";

/**
 * Follows the usage of one Messages event stream the way the SDK's own MessageStream does:
 * `message_start.message.usage` first, then every `message_delta.usage` OVERWRITES the counters it carries
 * (they are cumulative totals). Deltas are never added.
 */
export class StreamUsage {
  #model: string | null = null;
  #usage: Record<string, unknown> | undefined;
  #stopped = false;
  #id: unknown;
  #stopReason: unknown;

  /** Feed one event; returns true when it carries generated content (for time-to-first-token). */
  add(event: unknown): boolean {
    const e = asRecord(event);
    switch (e.type) {
      case "message_start": {
        const message = asRecord(e.message);
        this.#model = stringOrNull(message.model) ?? this.#model;
        this.#id = message.id ?? this.#id;
        if (message.usage !== null && typeof message.usage === "object") {
          this.#usage = mergeAnthropicStreamUsage(this.#usage, message.usage);
        }
        return false;
      }
      case "message_delta":
        this.#stopReason = asRecord(e.delta).stop_reason ?? this.#stopReason;
        if (e.usage !== null && typeof e.usage === "object")
          this.#usage = mergeAnthropicStreamUsage(this.#usage, e.usage);
        return false;
      case "message_stop":
        this.#stopped = true;
        return false;
      case "content_block_delta":
        return true;
      default:
        return false;
    }
  }

  /** The API sent `message_stop`: the usage seen is final. */
  get complete(): boolean {
    return this.#stopped;
  }

  outcome(requestId: string | null): CallOutcome {
    const usage = this.#usage;
    return {
      model: this.#model,
      usage: usage ? fromAnthropicUsage(usage) : null,
      requestId,
      serviceTier: stringOrNull(usage?.service_tier),
      ...anthropicMeta({ id: this.#id, stop_reason: this.#stopReason }),
    };
  }
}
