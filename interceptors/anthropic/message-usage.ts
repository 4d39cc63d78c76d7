import type { CallOutcome } from "../_shared/call.js";
import { fromAnthropicUsage } from "../../src/usage/index.js";
import { anthropicMeta } from "../_shared/response-meta.js";

/** A `Message` (non-streamed answer, or the one inside `message_start`) → what the call records. */
export function outcomeOfMessage(message: unknown, requestId: string | null): CallOutcome {
  const m = asRecord(message);
  const usage = m.usage === null || m.usage === undefined ? undefined : m.usage;
  return {
    model: stringOrNull(m.model),
    usage: usage === undefined ? null : fromAnthropicUsage(usage),
    requestId: requestId ?? stringOrNull(m._request_id),
    serviceTier: stringOrNull(asRecord(usage).service_tier),
    ...anthropicMeta(m),
  };
}

/** The `request-id` header the API answers with (the SDK exposes the same as `_request_id`). */
export function requestIdOf(response: unknown): string | null {
  try {
    const headers = asRecord(response).headers as { get?: (name: string) => string | null } | undefined;
    const id = typeof headers?.get === "function" ? headers.get("request-id") : null;
    return typeof id === "string" && id.length > 0 ? id : null;
  } catch {
    return null;
  }
}

export function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" ? (value as Record<string, unknown>) : {};
}

export function stringOrNull(value: unknown): string | null {
  return typeof value === "string" && value.length > 0 ? value : null;
}
