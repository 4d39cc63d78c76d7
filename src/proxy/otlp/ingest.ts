import type { TokenTracker } from "../../core/tracker.js";
import type { SafeLogger } from "../../core/logger.js";
import { claudeCodeApiRequestToEvent, isClaudeCodeApiRequest } from "./claude-code-events.js";
import { logRecordsOf } from "./log-records.js";
import type { ExportOutcome } from "./respond.js";

/**
 * Records a row per agent usage event of a decoded logs export. Events are the single source of truth: Claude
 * Code's `token.usage` / `cost.usage` metrics report the same calls again, so summing both would double-count.
 */
export function ingestLogs(
  request: Record<string, unknown>,
  tracker: Pick<TokenTracker, "record">,
  log: SafeLogger,
): ExportOutcome {
  let rejected = 0;
  let reason: string | undefined;
  for (const record of logRecordsOf(request)) {
    if (!isClaudeCodeApiRequest(record)) continue;
    const mapped = claudeCodeApiRequestToEvent(record);
    if ("rejected" in mapped) {
      rejected += 1;
      reason ??= mapped.rejected;
      continue;
    }
    tracker.record(mapped.event);
  }
  if (rejected > 0) log.warn(`OTLP receiver: ${rejected} log record(s) not recorded: ${reason}`);
  return reason === undefined ? { rejected } : { rejected, errorMessage: reason };
}
