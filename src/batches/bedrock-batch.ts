import { createHash } from "node:crypto";
import { stableEventId } from "../importers/stable-id.js";
import { fromBedrockInvokeBody } from "../usage/index.js";
import { fail, isRecord, str, type BatchFormat, type BatchRecordResult } from "./types.js";

export const BEDROCK_BATCH = "bedrock-batch";

/**
 * Bedrock batch inference output (`<input>.jsonl.out` in the job's S3 output): one line per input record,
 * `{ recordId, modelInput, modelOutput }` or `{ recordId, modelInput, error: { errorCode, errorMessage } }`.
 * `modelOutput` is the model's native InvokeModel body, read with the same per-family rules as the interceptor.
 * Records do not name a Bedrock model id, so the job's (`--model`) is required. `modelInput` (the prompt) is
 * never read into the ledger. `manifest.json.out` holds only job totals and is not read.
 */
export const bedrockBatchFormat: BatchFormat = {
  name: BEDROCK_BATCH,
  acceptsFile: (name) => name.endsWith(".jsonl.out") || name.endsWith(".jsonl"),
  toEvent(record, line, context): BatchRecordResult {
    if (!isRecord(record)) return fail("not a JSON object");
    const modelId = context.modelId;
    if (!modelId) return fail("the job's model id is needed (--model <bedrock model id>)");
    const recordId = str(record.recordId);
    const hash = createHash("sha256").update(line.trim()).digest("hex");
    const base = {
      id: stableEventId(BEDROCK_BATCH, context.batchId ?? "", recordId ?? "", hash),
      provider: context.provider ?? "bedrock",
      requestedModel: modelId,
      model: modelId,
      operation: "invoke",
      batch: true,
      usageSource: "import" as const,
      timestamp: context.fallbackTimestamp,
      metadata: {
        ...(context.batchId ? { batchId: context.batchId } : {}),
        ...(recordId ? { recordId } : {}),
      },
    };
    if (isRecord(record.error)) {
      const code = record.error.errorCode;
      return {
        ok: true,
        event: {
          ...base,
          status: "error",
          httpStatus: typeof code === "number" ? code : null,
          errorType: "BatchRecordError",
          errorMessage: str(record.error.errorMessage) ?? null,
          usage: {},
        },
      };
    }
    if (!isRecord(record.modelOutput)) return fail("modelOutput: missing (and no error)");
    const usage = fromBedrockInvokeBody(modelId, record.modelOutput);
    if (!usage) return fail(`modelOutput: no token counts found for a ${modelId} body`);
    return { ok: true, event: { ...base, status: "ok", usage } };
  },
};
