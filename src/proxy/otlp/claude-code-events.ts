import { stableEventId } from "../../core/stable-id.js";
import { CLAUDE_CODE_AGENT } from "../../importers/claude-code.js";
import { fromAnthropicUsage } from "../../usage/anthropic.js";
import { providerRequestEventId } from "../../core/live-calls.js";
import { count, eventTime, finite, text, type Mapped } from "./attributes.js";
import type { OtlpLogRecord } from "./log-records.js";

/** What every OTLP-born row carries in `metadata.source`. */
export const OTLP_SOURCE = "otlp";

const API_REQUEST = "claude_code.api_request";

/** Claude Code's per-call event: `claude_code.api_request` (as event name or body), or `event.name=api_request` from it. */
export function isClaudeCodeApiRequest(r: OtlpLogRecord): boolean {
  if (r.name === API_REQUEST) return true;
  return r.attributes.get("event.name") === "api_request" && r.resource.get("service.name") === "claude-code";
}

/**
 * One `api_request` event -> one ledger row. Token counts may arrive as numbers or numeric strings; anything else is
 * passed on so the tracker flags the row `invalid` rather than pricing garbage. Cost comes from tokenledger's own
 * pricer (the same as every other row); Claude Code's `cost_usd` is kept as `metadata.agentCostUsd` for comparison.
 * The row's time is when the call started: the event's time minus `duration_ms`.
 */
export function claudeCodeApiRequestToEvent(r: OtlpLogRecord): Mapped {
  const a = r.attributes;
  const tokens = {
    input_tokens: count(a.get("input_tokens")),
    output_tokens: count(a.get("output_tokens")),
    cache_read_input_tokens: count(a.get("cache_read_tokens")),
    cache_creation_input_tokens: count(a.get("cache_creation_tokens")),
  };
  if (Object.values(tokens).every((v) => v === undefined)) {
    return { rejected: "claude_code.api_request without token counts" };
  }
  const requestId = text(a.get("request_id"));
  const sessionId = text(a.get("session.id"));
  const durationMs = finite(a.get("duration_ms"));
  const endedAt = eventTime(r);
  const metadata: Record<string, unknown> = { source: OTLP_SOURCE, agent: CLAUDE_CODE_AGENT };
  const agentCost = a.get("cost_usd");
  if (agentCost !== undefined) metadata.agentCostUsd = String(agentCost);
  for (const [attr, key] of METADATA_ATTRIBUTES) {
    const v = text(a.get(attr));
    if (v !== null) metadata[key] = v;
  }
  const version = text(r.resource.get("service.version"));
  if (version !== null) metadata.agentVersion = version;
  return {
    event: {
      id: requestId ? providerRequestEventId("anthropic", requestId) : fallbackId(r, sessionId),
      timestamp: endedAt !== null ? endedAt - (durationMs ?? 0) : undefined,
      provider: "anthropic",
      model: text(a.get("model")),
      operation: "messages",
      requestId,
      latencyMs: durationMs,
      usage: fromAnthropicUsage(tokens),
      usageSource: "import",
      status: "ok",
      attribution: { ...(sessionId ? { sessionId } : {}), app: CLAUDE_CODE_AGENT },
      metadata,
    },
  };
}

const METADATA_ATTRIBUTES: readonly (readonly [string, string])[] = [
  ["prompt.id", "promptId"],
  ["query_source", "querySource"],
  ["speed", "speed"],
  ["effort", "effort"],
  // Set on a subagent's calls (e.g. `general-purpose`); its query_source is then `agent:builtin:<name>`.
  ["agent.name", "agentName"],
];

/** Without a request id: the session and the event's sequence number, stable across an exporter's retries. */
function fallbackId(r: OtlpLogRecord, sessionId: string | null): string {
  const seq = r.attributes.get("event.sequence");
  const at = text(r.attributes.get("event.timestamp")) ?? r.timeUnixNano ?? r.observedTimeUnixNano ?? "";
  return stableEventId(CLAUDE_CODE_AGENT, OTLP_SOURCE, sessionId ?? "", String(seq ?? ""), at);
}
