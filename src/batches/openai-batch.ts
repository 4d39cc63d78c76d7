import { createHash } from "node:crypto";
import type { NormalizedUsage } from "../core/buckets.js";
import type { UsageEventInput } from "../core/event.js";
import { stableEventId } from "../importers/stable-id.js";
import { fromOpenAIChatUsage, fromOpenAIEmbeddingUsage, fromOpenAIResponsesUsage } from "../usage/index.js";
import { fail, isRecord, str, type BatchFormat, type BatchRecordResult } from "./types.js";

export const OPENAI_BATCH = "openai-batch";

/**
 * OpenAI Batch API output (and error) files: one line per request,
 * `{ id: "batch_req_…", custom_id, response: { status_code, request_id, body }, error }`. The body is what the
 * endpoint would have answered synchronously (`chat.completion`, `response`, `text_completion`, an embeddings
 * `list`), so its usage goes through the same normalisation as the interceptors. Failed requests are not billed:
 * they become `error` events with zero tokens.
 */
export const openAIBatchFormat: BatchFormat = {
  name: OPENAI_BATCH,
  acceptsFile: (name) => name.endsWith(".jsonl"),
  toEvent(record, line, context): BatchRecordResult {
    if (!isRecord(record)) return fail("not a JSON object");
    const requestLineId = str(record.id);
    const customId = str(record.custom_id);
    if (!requestLineId && !customId) return fail("id: missing (not an OpenAI batch output line)");
    const response = isRecord(record.response) ? record.response : undefined;
    const error = isRecord(record.error) ? record.error : undefined;
    if (!response && !error) return fail("response: missing (and no error)");
    const id = requestLineId
      ? stableEventId(OPENAI_BATCH, requestLineId)
      : stableEventId(OPENAI_BATCH, createHash("sha256").update(line.trim()).digest("hex"));
    const base = {
      id,
      provider: context.provider ?? "openai",
      batch: true,
      usageSource: "import" as const,
      metadata: {
        ...(context.batchId ? { batchId: context.batchId } : {}),
        ...(requestLineId ? { batchRequestId: requestLineId } : {}),
        ...(customId ? { customId } : {}),
      },
    };
    const status = typeof response?.status_code === "number" ? response.status_code : undefined;
    const body = isRecord(response?.body) ? response.body : undefined;
    if (!response || !body || (status !== undefined && status >= 400)) {
      const err = isRecord(body?.error) ? body.error : error;
      return {
        ok: true,
        event: {
          ...base,
          timestamp: context.fallbackTimestamp,
          status: "error",
          httpStatus: status ?? null,
          errorType: str(err?.type) ?? str(err?.code) ?? "BatchRequestError",
          errorMessage: str(err?.message) ?? null,
          requestId: str(response?.request_id) ?? null,
          usage: {},
        },
      };
    }
    const kind = bodyKind(body);
    if (!kind)
      return fail(`response.body.object: "${String(body.object)}" is not a billed endpoint's answer`);
    if (!isRecord(body.usage)) return fail("response.body.usage: missing");
    const created = typeof body.created === "number" ? body.created : body.created_at;
    const event: UsageEventInput = {
      ...base,
      timestamp: typeof created === "number" && created > 0 ? created * 1000 : context.fallbackTimestamp,
      model: str(body.model) ?? null,
      operation: kind.operation,
      status: "ok",
      requestId: str(response.request_id) ?? null,
      serviceTier: str(body.service_tier) ?? null,
      usage: kind.normalize(body.usage),
    };
    return { ok: true, event };
  },
};

function bodyKind(body: Record<string, unknown>): {
  operation: string;
  normalize: (usage: unknown) => NormalizedUsage;
} | null {
  switch (body.object) {
    case "chat.completion":
      return { operation: "chat", normalize: fromOpenAIChatUsage };
    case "text_completion":
      return { operation: "completion", normalize: fromOpenAIChatUsage };
    case "response":
      return { operation: "responses", normalize: fromOpenAIResponsesUsage };
    case "list":
      return { operation: "embeddings", normalize: fromOpenAIEmbeddingUsage };
    default:
      return null;
  }
}
