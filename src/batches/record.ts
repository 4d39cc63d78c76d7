import { TokenLedgerConfigError } from "../core/errors.js";
import type { UsageEventInput } from "../core/event.js";
import { parseJsonLine } from "../importers/line-reader.js";
import { currentTracker } from "../track.js";
import { anthropicBatchFormat } from "./anthropic-batch.js";
import { bedrockBatchFormat } from "./bedrock-batch.js";
import { openAIBatchFormat } from "./openai-batch.js";
import type { BatchFormat } from "./types.js";

export type BatchProvider = "openai" | "anthropic" | "bedrock";

const FORMATS: Record<BatchProvider, BatchFormat> = {
  openai: openAIBatchFormat,
  anthropic: anthropicBatchFormat,
  bedrock: bedrockBatchFormat,
};

export interface RecordBatchOptions {
  /** The batch / job id (`batch.id`); stored as `metadata.batchId`. */
  readonly batchId?: string;
  /** For records without a time of their own: the batch's `ended_at` / `completed_at`. Default: now. */
  readonly endedAt?: Date | number | string | null;
  /** Bedrock: the job's model id (required for `bedrock`). */
  readonly modelId?: string;
  /** Provider label override (for example `azure` for an Azure OpenAI batch). */
  readonly provider?: string;
  /** Where to record; default the tracker started by `track()`. */
  readonly tracker?: { record(input: UsageEventInput): void };
}

export interface RecordBatchSummary {
  /** Events recorded (one per request in the results, billed or not). */
  readonly events: number;
  /** Records that could not be read, by 1-based position. */
  readonly malformed: readonly { readonly index: number; readonly reason: string }[];
}

/**
 * Record a finished batch's per-request results, as downloaded through the provider SDK:
 *
 * ```ts
 * const out = await openai.files.content(batch.output_file_id!);
 * await recordBatchResults("openai", await out.text(), { batchId: batch.id });
 *
 * const results = await anthropic.messages.batches.results(batch.id);
 * await recordBatchResults("anthropic", results, { batchId: batch.id, endedAt: batch.ended_at });
 * ```
 *
 * `results` is the output file's text (JSON lines) or the SDK's decoded records. Each request becomes one
 * event priced at batch rates, with a stable id: recording the same results again (or importing the same file
 * with `tokenledger import openai-batch`) adds nothing. Bad records are counted, never thrown.
 */
export async function recordBatchResults(
  provider: BatchProvider,
  results: string | Iterable<unknown> | AsyncIterable<unknown>,
  options: RecordBatchOptions = {},
): Promise<RecordBatchSummary> {
  const format = FORMATS[provider];
  if (!format) {
    throw new TokenLedgerConfigError(
      `recordBatchResults: provider "${String(provider)}" is not one of ${Object.keys(FORMATS).join(", ")}`,
    );
  }
  if (provider === "bedrock" && !options.modelId) {
    throw new TokenLedgerConfigError(
      "recordBatchResults: bedrock results need options.modelId (the job's model id)",
    );
  }
  const tracker = options.tracker ?? currentTracker();
  if (!tracker) {
    throw new TokenLedgerConfigError(
      "recordBatchResults: no tracker (call track() first, or pass options.tracker)",
    );
  }
  const fallbackTimestamp = toTime(options.endedAt);
  const context = {
    fallbackTimestamp,
    ...(options.batchId ? { batchId: options.batchId } : {}),
    ...(options.modelId ? { modelId: options.modelId } : {}),
    ...(options.provider ? { provider: options.provider } : {}),
  };
  let events = 0;
  const malformed: { index: number; reason: string }[] = [];
  let index = 0;
  for await (const item of records(results)) {
    index += 1;
    const text = typeof item === "string" ? item : JSON.stringify(item);
    const value = typeof item === "string" ? parseJsonLine(item) : item;
    if (value === undefined) continue;
    if (value instanceof Error) {
      malformed.push({ index, reason: `invalid JSON (${value.message})` });
      continue;
    }
    const result = format.toEvent(value, text, context);
    if (!result.ok) {
      malformed.push({ index, reason: result.reason });
      continue;
    }
    tracker.record(result.event);
    events += 1;
  }
  return { events, malformed };
}

async function* records(
  results: string | Iterable<unknown> | AsyncIterable<unknown>,
): AsyncGenerator<unknown> {
  if (typeof results === "string") {
    yield* results.split(/\r?\n/);
    return;
  }
  yield* results as AsyncIterable<unknown>;
}

function toTime(value: Date | number | string | null | undefined): number {
  if (value === undefined || value === null) return Date.now();
  if (value instanceof Date) return value.getTime();
  // Provider objects give seconds (OpenAI `completed_at`) or ISO strings (Anthropic `ended_at`).
  if (typeof value === "number") return value < 1e12 ? value * 1000 : value;
  const t = Date.parse(value);
  if (!Number.isFinite(t)) {
    throw new TokenLedgerConfigError(`recordBatchResults: options.endedAt "${value}" is not a date`);
  }
  return t;
}
