import type { EventStatus, LedgerEvent, UsageSource } from "tokenledger/storage-kit";

/** Values of one event in `eventColumns()` order; the dialect converts time, booleans and cost. */
export function eventValues(
  e: LedgerEvent,
  conv: {
    ts(d: Date): unknown;
    bool(b: boolean): unknown;
    cost(c: string | null): unknown;
    json(m: unknown): unknown;
  },
): unknown[] {
  const u = e.usage;
  return [
    e.id,
    conv.ts(e.timestamp),
    e.provider,
    e.model,
    e.requestedModel,
    e.operation,
    conv.bool(e.streamed),
    e.status,
    e.errorType,
    e.httpStatus,
    e.errorMessage,
    e.latencyMs,
    e.timeToFirstTokenMs,
    e.requestId,
    u.uncachedInputTokens,
    u.cacheReadTokens,
    u.cacheWrite5mTokens,
    u.cacheWrite1hTokens,
    u.outputTokens,
    u.reasoningTokens,
    u.inputAudioTokens,
    u.outputAudioTokens,
    u.tierBasisTokens,
    u.webSearchRequests,
    e.usageSource,
    e.serviceTier,
    conv.bool(e.batch),
    conv.cost(e.costUsd),
    conv.bool(e.unpriced),
    e.pricingKey,
    e.userId,
    e.teamId,
    e.projectId,
    e.feature,
    e.costCenter,
    e.sessionId,
    e.traceId,
    e.environment,
    e.app,
    e.metadata === null ? null : conv.json(e.metadata),
    e.sampleWeight,
  ];
}

/** A stored row as the driver returns it (SQLite integers/text, PostgreSQL typed values or strings). */
export type StoredRow = Record<string, unknown>;

const num = (v: unknown): number => (typeof v === "number" ? v : Number(v ?? 0));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const bool = (v: unknown): boolean => v === true || v === 1 || v === "1" || v === "t";

/** Rebuild a LedgerEvent; `ts` and `cost` are already decoded by the dialect. */
export function rowToEvent(r: StoredRow, ts: Date, costUsd: string | null): LedgerEvent {
  const meta = r.metadata;
  return {
    id: String(r.id),
    timestamp: ts,
    provider: String(r.provider),
    model: String(r.model),
    requestedModel: str(r.requested_model),
    operation: String(r.operation),
    streamed: bool(r.streamed),
    status: String(r.status) as EventStatus,
    errorType: str(r.error_type),
    httpStatus: numOrNull(r.http_status),
    errorMessage: str(r.error_message),
    latencyMs: numOrNull(r.latency_ms),
    timeToFirstTokenMs: numOrNull(r.ttft_ms),
    requestId: str(r.request_id),
    usage: {
      uncachedInputTokens: num(r.uncached_input_tokens),
      cacheReadTokens: num(r.cache_read_tokens),
      cacheWrite5mTokens: num(r.cache_write_5m_tokens),
      cacheWrite1hTokens: num(r.cache_write_1h_tokens),
      outputTokens: num(r.output_tokens),
      reasoningTokens: num(r.reasoning_tokens),
      inputAudioTokens: num(r.input_audio_tokens),
      outputAudioTokens: num(r.output_audio_tokens),
      tierBasisTokens: num(r.tier_basis_tokens),
      webSearchRequests: num(r.web_search_requests),
    },
    usageSource: String(r.usage_source) as UsageSource,
    serviceTier: str(r.service_tier),
    batch: bool(r.batch),
    costUsd,
    unpriced: bool(r.unpriced),
    pricingKey: str(r.pricing_key),
    userId: str(r.user_id),
    teamId: str(r.team_id),
    projectId: str(r.project_id),
    feature: str(r.feature),
    costCenter: str(r.cost_center),
    sessionId: str(r.session_id),
    traceId: str(r.trace_id),
    environment: str(r.environment),
    app: str(r.app),
    metadata:
      meta === null || meta === undefined
        ? null
        : typeof meta === "string"
          ? (JSON.parse(meta) as Record<string, unknown>)
          : (meta as Record<string, unknown>),
    sampleWeight: num(r.sample_weight),
  };
}
