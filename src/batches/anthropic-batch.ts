import { createHash } from "node:crypto";
import { stableEventId } from "../importers/stable-id.js";
import { fromAnthropicUsage } from "../usage/index.js";
import type { UsageEventInput } from "../core/event.js";
import { fail, isRecord, str, type BatchContext, type BatchFormat, type BatchRecordResult } from "./types.js";

export const ANTHROPIC_BATCH = "anthropic-batch";

/**
 * Anthropic Message Batches results (`messages.batches.results()`, or the `.jsonl` behind `results_url`):
 * `{ custom_id, result: { type: "succeeded", message } }`. Only `succeeded` requests are billed; `errored`,
 * `canceled` and `expired` ones are recorded with zero tokens (`error` / `aborted`). Results carry no time:
 * the context's `fallbackTimestamp` (the batch's `ended_at`, or the file's modification time) is used.
 */
export const anthropicBatchFormat: BatchFormat = {
  name: ANTHROPIC_BATCH,
  acceptsFile: (name) => name.endsWith(".jsonl"),
  toEvent(record, line, context): BatchRecordResult {
    if (!isRecord(record)) return fail("not a JSON object");
    const customId = str(record.custom_id);
    if (!customId) return fail("custom_id: missing (not an Anthropic batch result line)");
    if (!isRecord(record.result)) return fail("result: missing");
    const result = record.result;
    const message = isRecord(result.message) ? result.message : undefined;
    return resultEvent(result, message, baseEvent(context, customId, str(message?.id), line));
  },
};

type Base = UsageEventInput & { readonly metadata: Record<string, unknown> };

/** Fields every outcome shares. The id is the message id, else derived from the batch, custom id and line. */
function baseEvent(
  context: BatchContext,
  customId: string,
  messageId: string | undefined,
  line: string,
): Base {
  const id = messageId
    ? stableEventId(ANTHROPIC_BATCH, messageId)
    : stableEventId(
        ANTHROPIC_BATCH,
        context.batchId ?? "",
        customId,
        createHash("sha256").update(line.trim()).digest("hex"),
      );
  return {
    id,
    provider: context.provider ?? "anthropic",
    operation: "messages",
    batch: true,
    usageSource: "import" as const,
    timestamp: context.fallbackTimestamp,
    metadata: { ...(context.batchId ? { batchId: context.batchId } : {}), customId },
  };
}

function resultEvent(
  result: Record<string, unknown>,
  message: Record<string, unknown> | undefined,
  base: Base,
): BatchRecordResult {
  switch (result.type) {
    case "succeeded":
      return succeededEvent(message, base);
    case "errored": {
      const outer = isRecord(result.error) ? result.error : {};
      const inner = isRecord(outer.error) ? outer.error : outer;
      return {
        ok: true,
        event: {
          ...base,
          status: "error",
          errorType: str(inner.type) ?? "BatchRequestError",
          errorMessage: str(inner.message) ?? null,
          usage: {},
        },
      };
    }
    case "canceled":
    case "expired":
      return {
        ok: true,
        event: { ...base, status: "aborted", errorType: `Batch${result.type}`, usage: {} },
      };
    default:
      return fail(`result.type: "${String(result.type)}" is not succeeded, errored, canceled or expired`);
  }
}

function succeededEvent(message: Record<string, unknown> | undefined, base: Base): BatchRecordResult {
  if (!message) return fail("result.message: missing");
  if (!isRecord(message.usage)) return fail("result.message.usage: missing");
  return {
    ok: true,
    event: {
      ...base,
      model: str(message.model) ?? null,
      status: "ok",
      requestId: str(message.id) ?? null,
      serviceTier: str(message.usage.service_tier) ?? "batch",
      usage: fromAnthropicUsage(message.usage),
    },
  };
}
