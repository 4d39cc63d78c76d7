import type { UsageEventInput } from "../core/event.js";

/** What a batch output file does not say itself, given by the caller (CLI options or the SDK object). */
export interface BatchContext {
  /** Provider batch / job id (`batch_…`, `msgbatch_…`, a Bedrock job ARN); stored in `metadata.batchId`. */
  readonly batchId?: string;
  /** When a record carries no timestamp of its own (Anthropic and Bedrock results, embeddings). */
  readonly fallbackTimestamp: number;
  /** Bedrock: the job's model id (records do not name a priceable one). */
  readonly modelId?: string;
  /** Provider label; defaults to the format's (`openai`, `anthropic`, `bedrock`). Use `azure` for Azure OpenAI. */
  readonly provider?: string;
}

/** One output record read: an event, or the reason it is unusable (reported with its line number). */
export type BatchRecordResult =
  { readonly ok: true; readonly event: UsageEventInput } | { readonly ok: false; readonly reason: string };

/** One provider's batch output format: one JSON object per line. */
export interface BatchFormat {
  /** `openai-batch`, `anthropic-batch`, `bedrock-batch`. */
  readonly name: string;
  /** File names this format's output files have. */
  acceptsFile(name: string): boolean;
  /** `line` is the raw text, for a content-derived id when the record has no id of its own. */
  toEvent(record: unknown, line: string, context: BatchContext): BatchRecordResult;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

export function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

export function fail(reason: string): BatchRecordResult {
  return { ok: false, reason };
}
