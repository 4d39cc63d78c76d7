import type { NormalizedUsage } from "./buckets.js";
import type { Attribution, AttributionValues } from "./attribution.js";

export type EventStatus = "ok" | "error" | "aborted";

/**
 * Where the token counts came from.
 * - `provider`: the API's own final usage report.
 * - `partial`: the call ended early (break, abort, dropped connection); counts are what was seen.
 * - `missing`: no usage was reported at all (for example a stream without `include_usage`).
 * - `manual`: given by the application through `trackCost()` / `recordUsage()`.
 * - `import`: read from a coding agent's local logs.
 * - `invalid`: the provider reported negative or non-numeric counts; the event is kept, unpriced.
 */
export type UsageSource = "provider" | "partial" | "missing" | "manual" | "import" | "invalid";

/** What an interceptor, a manual call or an importer hands to `tracker.record()`. */
export interface UsageEventInput {
  /** Client-generated UUIDv7; generated when absent. Importers pass a stable id for idempotency. */
  readonly id?: string;
  /** When the call started. Defaults to now. */
  readonly timestamp?: Date | number;
  /** `openai`, `azure`, `anthropic`, `gemini`, `vertex`, `bedrock`, or any name for other providers. */
  readonly provider: string;
  /** Model as the API answered (dated snapshot); falls back to `requestedModel`. */
  readonly model?: string | null;
  /** Model (or Azure deployment, Bedrock model id / ARN) as the caller asked for it. */
  readonly requestedModel?: string | null;
  /** `chat`, `responses`, `completion`, `embeddings`, `messages`, `generate_content`, `converse`, `invoke`, ... */
  readonly operation?: string;
  readonly streamed?: boolean;
  readonly status?: EventStatus;
  readonly errorType?: string | null;
  readonly httpStatus?: number | null;
  /** Stored only after secret redaction. */
  readonly errorMessage?: string | null;
  readonly latencyMs?: number | null;
  readonly timeToFirstTokenMs?: number | null;
  readonly requestId?: string | null;
  /** The provider's id of the answer (`chatcmpl-…`, `resp_…`, `msg_…`, Gemini `responseId`); stored redacted. */
  readonly responseId?: string | null;
  /** Why generation stopped, one per choice/candidate as the provider spells it (`stop`, `end_turn`, `STOP`). */
  readonly finishReasons?: readonly string[] | null;
  /** Raw counts; anything missing is 0. Non-numeric or negative counts mark the event `invalid`. */
  readonly usage?: Partial<Record<keyof NormalizedUsage, unknown>> | null;
  readonly usageSource?: UsageSource;
  /** Provider service tier (`flex`, `priority`, `batch`, ...), used by pricing. */
  readonly serviceTier?: string | null;
  /** Batch API call: billed at batch rates. */
  readonly batch?: boolean;
  /** Attribution; when absent, the context active at `record()` time is used. */
  readonly attribution?: Attribution;
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** A cost already known exactly (for example from an agent's log); skips pricing when set. */
  readonly costUsd?: string | null;
  /** Failover (`tokenledger/failover`): the group's first target, the one the caller asked for. */
  readonly requestedTarget?: string;
  /** Failover: the target this attempt went to. */
  readonly effectiveTarget?: string;
  /** Failover: 1-based attempt number within the call. */
  readonly attempt?: number;
  /** Failover: why the call is not on its first target (`breaker_open`, `server_error`, ...). */
  readonly failoverReason?: string;
}

/** A usage event as stored: every field resolved, cost priced. */
/** The attribution fields (userId … app, see ATTRIBUTION_FIELDS) are inherited from AttributionValues. */
export interface LedgerEvent extends AttributionValues {
  readonly id: string;
  readonly timestamp: Date;
  readonly provider: string;
  readonly model: string;
  readonly requestedModel: string | null;
  readonly operation: string;
  readonly streamed: boolean;
  readonly status: EventStatus;
  readonly errorType: string | null;
  readonly httpStatus: number | null;
  readonly errorMessage: string | null;
  readonly latencyMs: number | null;
  readonly timeToFirstTokenMs: number | null;
  readonly requestId: string | null;
  /** Absent when unknown (optional so events built before migration 0021 still type-check). */
  readonly responseId?: string;
  /** Absent when unknown; otherwise non-empty. */
  readonly finishReasons?: readonly string[];
  readonly usage: NormalizedUsage;
  readonly usageSource: UsageSource;
  readonly serviceTier: string | null;
  readonly batch: boolean;
  /** Exact USD as a decimal string (12 places at most); `null` when the model is unpriced. */
  readonly costUsd: string | null;
  readonly unpriced: boolean;
  /** Catalog key that priced the event, for `prices lookup` and audits. */
  readonly pricingKey: string | null;
  readonly metadata: Readonly<Record<string, unknown>> | null;
  /** 1 / sampleRate: each stored event stands for this many calls, so rollups stay unbiased. */
  readonly sampleWeight: number;
  /**
   * Failover columns, present only on attempts made through a failover group (absent otherwise): requested
   * and effective target, attempt number, and the reason the call left its first target (absent on attempt 1).
   */
  readonly requestedTarget?: string;
  readonly effectiveTarget?: string;
  readonly attempt?: number;
  readonly failoverReason?: string;
}
