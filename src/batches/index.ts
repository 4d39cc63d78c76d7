/** Batch API outputs (half price) → ledger events: one per billed request, priced at batch rates. */
export { openAIBatchFormat, OPENAI_BATCH } from "./openai-batch.js";
export { anthropicBatchFormat, ANTHROPIC_BATCH } from "./anthropic-batch.js";
export { bedrockBatchFormat, BEDROCK_BATCH } from "./bedrock-batch.js";
export { batchImporter, type BatchImportOptions } from "./importer.js";
export type { BatchContext, BatchFormat, BatchRecordResult } from "./types.js";
export {
  recordBatchResults,
  type BatchProvider,
  type RecordBatchOptions,
  type RecordBatchSummary,
} from "./record.js";
