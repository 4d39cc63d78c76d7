import { mergeAttribution, type Attribution } from "../../core/attribution.js";
import type { TokenTracker } from "../../core/tracker.js";
import type { SafeLogger } from "../../core/logger.js";
import type { Mapped } from "./attributes.js";
import { claudeCodeApiRequestToEvent, isClaudeCodeApiRequest } from "./claude-code-events.js";
import { codexCompletedResponseToEvent, isCodexCompletedResponse } from "./codex-events.js";
import { logRecordsOf, type OtlpLogRecord } from "./log-records.js";
import type { ExportOutcome } from "./respond.js";

/** The agents' per-call usage events, and how each becomes a row. */
const USAGE_EVENTS: readonly (readonly [(r: OtlpLogRecord) => boolean, (r: OtlpLogRecord) => Mapped])[] = [
  [isClaudeCodeApiRequest, claudeCodeApiRequestToEvent],
  [isCodexCompletedResponse, codexCompletedResponseToEvent],
];

/**
 * Records a row per agent usage event of a decoded logs export. Events are the single source of truth: Claude
 * Code's `token.usage` / `cost.usage` metrics report the same calls again, so summing both would double-count.
 * `caller`: the identity of the export's tokenledger key, under each event's own session and agent.
 */
export function ingestLogs(
  request: Record<string, unknown>,
  tracker: Pick<TokenTracker, "record">,
  log: SafeLogger,
  caller?: Attribution,
): ExportOutcome {
  let rejected = 0;
  let reason: string | undefined;
  for (const record of logRecordsOf(request)) {
    const kind = USAGE_EVENTS.find(([matches]) => matches(record));
    if (!kind) continue;
    const mapped = kind[1](record);
    if ("rejected" in mapped) {
      rejected += 1;
      reason ??= mapped.rejected;
      continue;
    }
    const event = mapped.event;
    tracker.record(caller ? { ...event, attribution: mergeAttribution(caller, event.attribution) } : event);
  }
  if (rejected > 0) log.warn(`OTLP receiver: ${rejected} log record(s) not recorded: ${reason}`);
  return reason === undefined ? { rejected } : { rejected, errorMessage: reason };
}
