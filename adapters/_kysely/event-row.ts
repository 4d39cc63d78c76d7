import type { EventStatus, LedgerEvent, NormalizedUsage, UsageSource } from "tokenledger/storage-kit";
import { ATTRIBUTION_FIELDS, type AttributionValues } from "tokenledger/storage-kit";

/** How a dialect turns JS values into what its driver stores (time, booleans, cost, JSON). */
export interface ValueConv {
  ts(d: Date): unknown;
  bool(b: boolean): unknown;
  cost(c: string | null): unknown;
  json(m: unknown): unknown;
}

/** One events-table column and how an event fills it. */
interface EventColumn {
  readonly name: string;
  value(e: LedgerEvent, conv: ValueConv): unknown;
}

/** Usage buckets: `LedgerEvent.usage` key → column. Read and write both walk this list. */
const USAGE_COLUMNS = [
  ["uncachedInputTokens", "uncached_input_tokens"],
  ["cacheReadTokens", "cache_read_tokens"],
  ["cacheWrite5mTokens", "cache_write_5m_tokens"],
  ["cacheWrite1hTokens", "cache_write_1h_tokens"],
  ["outputTokens", "output_tokens"],
  ["reasoningTokens", "reasoning_tokens"],
  ["inputAudioTokens", "input_audio_tokens"],
  ["outputAudioTokens", "output_audio_tokens"],
  ["tierBasisTokens", "tier_basis_tokens"],
  ["webSearchRequests", "web_search_requests"],
] as const satisfies readonly (readonly [keyof NormalizedUsage, string])[];

/** The cost column's name differs by dialect (`cost_pico` in SQLite, `cost_usd` in PostgreSQL). */
const COST = "cost";

/**
 * Every column of token_ledger_events in insert order, each with the value it takes: one list, so the column
 * names and the values of an insert cannot drift apart. Attribution columns come from ATTRIBUTION_FIELDS.
 */
const EVENT_COLUMNS: readonly EventColumn[] = [
  { name: "id", value: (e) => e.id },
  { name: "ts", value: (e, c) => c.ts(e.timestamp) },
  { name: "provider", value: (e) => e.provider },
  { name: "model", value: (e) => e.model },
  { name: "requested_model", value: (e) => e.requestedModel },
  { name: "operation", value: (e) => e.operation },
  { name: "streamed", value: (e, c) => c.bool(e.streamed) },
  { name: "status", value: (e) => e.status },
  { name: "error_type", value: (e) => e.errorType },
  { name: "http_status", value: (e) => e.httpStatus },
  { name: "error_message", value: (e) => e.errorMessage },
  { name: "latency_ms", value: (e) => e.latencyMs },
  { name: "ttft_ms", value: (e) => e.timeToFirstTokenMs },
  { name: "request_id", value: (e) => e.requestId },
  ...USAGE_COLUMNS.map(([key, name]) => ({ name, value: (e: LedgerEvent) => e.usage[key] })),
  { name: "usage_source", value: (e) => e.usageSource },
  { name: "service_tier", value: (e) => e.serviceTier },
  { name: "batch", value: (e, c) => c.bool(e.batch) },
  { name: COST, value: (e, c) => c.cost(e.costUsd) },
  { name: "unpriced", value: (e, c) => c.bool(e.unpriced) },
  { name: "pricing_key", value: (e) => e.pricingKey },
  ...ATTRIBUTION_FIELDS.map((f) => ({ name: f.column, value: (e: LedgerEvent) => e[f.key] })),
  { name: "metadata", value: (e, c) => (e.metadata === null ? null : c.json(e.metadata)) },
  { name: "sample_weight", value: (e) => e.sampleWeight },
  // Migration 0021. Finish reasons as a JSON array in a text column in both dialects (read back with JSON.parse).
  { name: "response_id", value: (e) => e.responseId ?? null },
  {
    name: "finish_reasons",
    value: (e) => (e.finishReasons && e.finishReasons.length > 0 ? JSON.stringify(e.finishReasons) : null),
  },
  // Failover columns (migration 0020); null on events that did not go through a failover group.
  { name: "requested_target", value: (e) => e.requestedTarget ?? null },
  { name: "effective_target", value: (e) => e.effectiveTarget ?? null },
  { name: "attempt", value: (e) => e.attempt ?? null },
  { name: "failover_reason", value: (e) => e.failoverReason ?? null },
];

/** Column names of token_ledger_events in insert order, with the dialect's cost column. */
export function eventColumns(costColumn: "cost_pico" | "cost_usd"): readonly string[] {
  return EVENT_COLUMNS.map((c) => (c.name === COST ? costColumn : c.name));
}

/** Values of one event in `eventColumns()` order; the dialect converts time, booleans and cost. */
export function eventValues(e: LedgerEvent, conv: ValueConv): unknown[] {
  return EVENT_COLUMNS.map((c) => c.value(e, conv));
}

/** The columns one insert writes, and an event's values for exactly those columns, in the same order. */
export interface EventRowShape {
  readonly columns: readonly string[];
  values(e: LedgerEvent, conv: ValueConv): unknown[];
}

/**
 * The insert for an events table that has the `existing` columns. A ledger opened with `migrate: false` can be
 * a few migrations behind this code (the optional columns of 0020 and 0021 come late); its events are then
 * written without those fields instead of every write failing until someone migrates.
 */
export function eventRowShape(
  costColumn: "cost_pico" | "cost_usd",
  existing: ReadonlySet<string>,
): EventRowShape {
  const named = EVENT_COLUMNS.map((c) => ({ name: c.name === COST ? costColumn : c.name, value: c.value }));
  const kept = named.filter((c) => existing.has(c.name));
  return { columns: kept.map((c) => c.name), values: (e, conv) => kept.map((c) => c.value(e, conv)) };
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
    usage: Object.fromEntries(
      USAGE_COLUMNS.map(([key, col]) => [key, num(r[col])]),
    ) as unknown as NormalizedUsage,
    usageSource: String(r.usage_source) as UsageSource,
    serviceTier: str(r.service_tier),
    batch: bool(r.batch),
    costUsd,
    unpriced: bool(r.unpriced),
    pricingKey: str(r.pricing_key),
    ...attributionOf(r),
    metadata:
      meta === null || meta === undefined
        ? null
        : typeof meta === "string"
          ? (JSON.parse(meta) as Record<string, unknown>)
          : (meta as Record<string, unknown>),
    sampleWeight: num(r.sample_weight),
    ...responseFieldsOf(r),
    ...failoverOf(r),
  };
}

/** Failover columns are absent from the event when null, as on events recorded without failover. */
function failoverOf(
  r: StoredRow,
): Pick<LedgerEvent, "requestedTarget" | "effectiveTarget" | "attempt" | "failoverReason"> {
  const requestedTarget = str(r.requested_target);
  const effectiveTarget = str(r.effective_target);
  const attempt = numOrNull(r.attempt);
  const failoverReason = str(r.failover_reason);
  return {
    ...(requestedTarget !== null ? { requestedTarget } : {}),
    ...(effectiveTarget !== null ? { effectiveTarget } : {}),
    ...(attempt !== null ? { attempt } : {}),
    ...(failoverReason !== null ? { failoverReason } : {}),
  };
}

/** Omitted when unknown, as the event builder does, so a stored event reads back equal to the one written. */
function responseFieldsOf(r: StoredRow): Pick<LedgerEvent, "responseId" | "finishReasons"> {
  const id = str(r.response_id);
  const raw = str(r.finish_reasons);
  let reasons: unknown;
  try {
    reasons = raw === null ? null : JSON.parse(raw);
  } catch {
    reasons = null; // a hand-edited row must not break reads
  }
  const list = Array.isArray(reasons) ? reasons.filter((x): x is string => typeof x === "string") : [];
  return { ...(id !== null ? { responseId: id } : {}), ...(list.length > 0 ? { finishReasons: list } : {}) };
}

function attributionOf(r: StoredRow): AttributionValues {
  return Object.fromEntries(ATTRIBUTION_FIELDS.map((f) => [f.key, str(r[f.column])])) as AttributionValues;
}
