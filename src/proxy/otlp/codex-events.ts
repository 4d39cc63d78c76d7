import { CODEX_AGENT } from "../../importers/codex.js";
import { stableEventId } from "../../core/stable-id.js";
import { fromOpenAIResponsesUsage } from "../../usage/openai.js";
import { count, eventTime, text, type Mapped } from "./attributes.js";
import { OTLP_SOURCE } from "./claude-code-events.js";
import type { OtlpLogRecord } from "./log-records.js";

/**
 * Codex's per-call usage: the `codex.sse_event` record for `response.completed` that carries token counts (Codex
 * also logs one without counts for the same event; only the counted one is a row). Needs `[otel]` in config.toml.
 */
export function isCodexCompletedResponse(r: OtlpLogRecord): boolean {
  const a = r.attributes;
  return (
    a.get("event.name") === "codex.sse_event" &&
    a.get("event.kind") === "response.completed" &&
    a.has("input_token_count")
  );
}

/**
 * One completed Responses call -> one ledger row, priced by tokenledger. The counts follow the Responses API:
 * `input_token_count` includes the cached tokens and `output_token_count` the reasoning ones. Codex reports no
 * request id, so the id comes from the conversation, the event time and the counts (an exporter's retry of the
 * same batch lands once); it cannot match a proxy row, so use the proxy or the receiver for Codex, not both.
 */
export function codexCompletedResponseToEvent(r: OtlpLogRecord): Mapped {
  const a = r.attributes;
  const counts = [
    "input_token_count",
    "output_token_count",
    "cached_token_count",
    "cache_write_token_count",
  ].map((k) => String(a.get(k) ?? ""));
  const conversation = text(a.get("conversation.id"));
  const at = text(a.get("event.timestamp")) ?? r.timeUnixNano ?? "";
  const metadata: Record<string, unknown> = { source: OTLP_SOURCE, agent: CODEX_AGENT };
  const version = text(a.get("app.version"));
  if (version !== null) metadata.agentVersion = version;
  const ended = eventTime(r);
  return {
    event: {
      id: stableEventId(
        CODEX_AGENT,
        OTLP_SOURCE,
        conversation ?? "",
        at,
        ...counts,
        String(a.get("reasoning_token_count") ?? ""),
      ),
      timestamp: ended ?? undefined,
      provider: "openai",
      model: text(a.get("model")),
      operation: "responses",
      streamed: true,
      usage: fromOpenAIResponsesUsage({
        input_tokens: count(a.get("input_token_count")),
        input_tokens_details: {
          cached_tokens: count(a.get("cached_token_count")),
          cache_write_tokens: count(a.get("cache_write_token_count")),
        },
        output_tokens: count(a.get("output_token_count")),
        output_tokens_details: { reasoning_tokens: count(a.get("reasoning_token_count")) },
      }),
      usageSource: "import",
      status: "ok",
      // No response id in Codex's event; its kind is the Responses status (response-meta.ts maps status so).
      finishReasons: ["completed"],
      attribution: { ...(conversation ? { sessionId: conversation } : {}), app: CODEX_AGENT },
      metadata,
    },
  };
}
