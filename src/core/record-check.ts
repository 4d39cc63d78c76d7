import { EMPTY_USAGE } from "./buckets.js";
import type { UsageEventInput } from "./event.js";
import { checkTimestamp } from "./timestamp.js";

/** Usage keys `record()` understands: the ledger's own buckets, nothing else. */
export const RECORD_USAGE_KEYS: readonly string[] = Object.keys(EMPTY_USAGE);
const KNOWN = new Set(RECORD_USAGE_KEYS);

export interface RecordRejection {
  readonly reason: "invalid_usage" | "invalid_timestamp";
  /** For the one-time warning: names the field and what is accepted. */
  readonly message: string;
}

/**
 * Refuse what `record()` would otherwise store as garbage: usage under keys it does not know (`inputTokens`,
 * `prompt_tokens`: silently 0 tokens) and times that are not a Date, epoch milliseconds or ISO 8601 with a
 * zone. Returns the input (with a string time turned into epoch ms) or the rejection. Cheap: one pass over
 * the usage keys, no allocation when the input is fine.
 */
export function checkRecordInput(input: UsageEventInput): UsageEventInput | RecordRejection {
  const usage = input.usage;
  if (usage !== null && usage !== undefined) {
    if (typeof usage !== "object") {
      return { reason: "invalid_usage", message: `record(): usage must be an object of token counts` };
    }
    for (const key in usage) {
      if (!KNOWN.has(key)) {
        return {
          reason: "invalid_usage",
          message:
            `record(): usage key "${key}" is not one tokenledger knows, so the event was dropped (counted as ` +
            `invalid_usage in stats()). Accepted keys: ${RECORD_USAGE_KEYS.join(", ")}. For cache-inclusive ` +
            `inputTokens use trackCost(), which converts them.`,
        };
      }
    }
  }
  const ts = input.timestamp as unknown;
  if (ts === undefined || ts instanceof Date || typeof ts === "number" || typeof ts === "string") {
    if (ts === undefined) return input;
    const checked = checkTimestamp(ts);
    if ("error" in checked) {
      return {
        reason: "invalid_timestamp",
        message: `record(): timestamp ${checked.error}; the event was dropped (counted as invalid_timestamp in stats())`,
      };
    }
    return typeof ts === "string" ? { ...input, timestamp: checked.ms } : input;
  }
  return {
    reason: "invalid_timestamp",
    message: `record(): timestamp must be a Date, epoch milliseconds or an ISO 8601 string with a zone; the event was dropped`,
  };
}
