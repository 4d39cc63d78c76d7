import { Decimal } from "decimal.js";
import { canonicalJson } from "../core/canonical-json.js";
import { USAGE_KEYS } from "../core/buckets.js";
import type { LedgerEvent } from "../core/event.js";
import { buildEvent, type BuildConfig } from "../core/event-builder.js";
import type { Pricer } from "../core/pricer.js";
import { ApiError } from "./errors.js";
import type { ServerStorage } from "./ports.js";
import type { IngestResult, WireEvent } from "./schemas/wire-event.js";

const MAX_METADATA_BYTES = 16 * 1024;

export interface IngestItem {
  readonly event: LedgerEvent;
  /** The client sent its own cost (a decimal string): the stored cost must match it for a replay to be a duplicate. */
  readonly costGiven: boolean;
}

/** The SDK's event input for a wire event; the key id goes into metadata (never the secret). */
function wireInput(w: WireEvent, apiKeyId: string): Parameters<typeof buildEvent>[0] {
  return {
    id: w.id,
    timestamp: Date.parse(w.timestamp),
    provider: w.provider,
    ...(w.model !== undefined ? { model: w.model } : {}),
    ...(w.requestedModel !== undefined ? { requestedModel: w.requestedModel } : {}),
    ...(w.operation !== undefined ? { operation: w.operation } : {}),
    ...(w.streamed !== undefined ? { streamed: w.streamed } : {}),
    ...(w.status !== undefined ? { status: w.status } : {}),
    ...(w.errorType !== undefined ? { errorType: w.errorType } : {}),
    ...(w.httpStatus !== undefined ? { httpStatus: w.httpStatus } : {}),
    ...(w.errorMessage !== undefined ? { errorMessage: w.errorMessage } : {}),
    ...(w.latencyMs !== undefined ? { latencyMs: w.latencyMs } : {}),
    ...(w.timeToFirstTokenMs !== undefined ? { timeToFirstTokenMs: w.timeToFirstTokenMs } : {}),
    ...(w.requestId !== undefined ? { requestId: w.requestId } : {}),
    ...(w.responseId !== undefined ? { responseId: w.responseId } : {}),
    ...(w.finishReasons ? { finishReasons: w.finishReasons } : {}),
    usage: w.usage,
    ...(w.usageSource !== undefined ? { usageSource: w.usageSource } : {}),
    ...(w.serviceTier !== undefined ? { serviceTier: w.serviceTier } : {}),
    ...(w.batch !== undefined ? { batch: w.batch } : {}),
    ...(typeof w.costUsd === "string" ? { costUsd: w.costUsd } : {}),
    ...(w.requestedTarget !== undefined ? { requestedTarget: w.requestedTarget } : {}),
    ...(w.effectiveTarget !== undefined ? { effectiveTarget: w.effectiveTarget } : {}),
    ...(w.attempt !== undefined ? { attempt: w.attempt } : {}),
    ...(w.failoverReason !== undefined ? { failoverReason: w.failoverReason } : {}),
    attribution: {
      ...(w.userId ? { userId: w.userId } : {}),
      ...(w.teamId ? { teamId: w.teamId } : {}),
      ...(w.projectId ? { projectId: w.projectId } : {}),
      ...(w.feature ? { feature: w.feature } : {}),
      ...(w.costCenter ? { costCenter: w.costCenter } : {}),
      ...(w.sessionId ? { sessionId: w.sessionId } : {}),
      ...(w.traceId ? { traceId: w.traceId } : {}),
      ...(w.environment ? { environment: w.environment } : {}),
      ...(w.app ? { app: w.app } : {}),
    },
    metadata: { ...(w.metadata ?? {}), apiKeyId },
  };
}

/**
 * A wire event as stored: a cost the client sent (a decimal string) is kept; an absent or null cost is priced
 * with the server's catalog. Null is what the SDK sends for a model its own catalog lacked, and the server's
 * catalog may be newer; a model the server cannot price either stays unpriced (null cost, never 0).
 */
export function toLedgerEvent(
  w: WireEvent,
  index: number,
  apiKeyId: string,
  pricer: Pricer,
  now: number,
): IngestItem {
  const cfg: BuildConfig = {
    pricer,
    defaults: {},
    maxMetadataBytes: MAX_METADATA_BYTES,
    onUnpriced: () => {},
    onAnomaly: () => {},
    onPricingError: () => {},
  };
  const built = buildEvent(wireInput(w, apiKeyId), {}, now, w.sampleWeight ?? 1, cfg);
  if (!built.ok)
    throw new ApiError(
      "bad_request",
      `events[${index}].metadata: larger than ${MAX_METADATA_BYTES} bytes as JSON`,
      `events[${index}].metadata`,
    );
  let event = built.event;
  if (typeof w.costUsd === "string" && w.pricingKey) event = { ...event, pricingKey: w.pricingKey };
  // Only a sent decimal is the client's cost: a server-priced event's cost may differ on a retry (new prices).
  return { event, costGiven: typeof w.costUsd === "string" };
}

/**
 * What makes two events "the same content" for idempotency: everything the client sent, compared after
 * storage's normalisation. Left out: which key sent it (a retry may come through another key) and, when the
 * server priced the event, the cost (prices may have changed between the first attempt and the retry).
 * A fixed field order (only metadata needs canonical JSON): this runs twice per ingested event.
 */
export function contentFingerprint(e: LedgerEvent, costGiven: boolean): string {
  const { apiKeyId: _ignored, ...metadata } = (e.metadata ?? {}) as Record<string, unknown>;
  const u = e.usage;
  return JSON.stringify([
    e.timestamp.getTime(),
    e.provider,
    e.model,
    e.requestedModel,
    e.operation,
    e.streamed,
    e.status,
    e.errorType,
    e.httpStatus,
    e.errorMessage,
    e.latencyMs,
    e.timeToFirstTokenMs,
    e.requestId,
    USAGE_KEYS.map((k) => u[k]),
    e.usageSource,
    e.serviceTier,
    e.batch,
    costGiven ? (e.costUsd === null ? null : new Decimal(e.costUsd).toFixed()) : 0,
    costGiven ? e.unpriced : 0,
    e.userId,
    e.teamId,
    e.projectId,
    e.feature,
    e.costCenter,
    e.sessionId,
    e.traceId,
    e.environment,
    e.app,
    Object.keys(metadata).length === 0 ? null : canonicalJson(metadata),
    e.sampleWeight,
    e.requestedTarget ?? null,
    e.effectiveTarget ?? null,
    e.attempt ?? null,
    e.failoverReason ?? null,
  ]);
}

/**
 * Store a validated batch idempotently. One insert that skips stored ids and reports the ids it stored: those
 * are `created`. Any other id was already stored (by an earlier attempt, or a concurrent request that won the
 * race): it is read back and is a `duplicate` when its content matches, else a `conflict`, never overwritten.
 */
export async function ingestBatch(
  storage: ServerStorage,
  items: readonly IngestItem[],
): Promise<IngestResult> {
  const byId = new Map<string, IngestItem>();
  for (const item of items) if (!byId.has(item.event.id)) byId.set(item.event.id, item);
  const same = (stored: LedgerEvent, item: IngestItem) =>
    contentFingerprint(stored, item.costGiven) === contentFingerprint(item.event, item.costGiven);

  const status = new Map<string, "created" | "duplicate" | "conflict">();
  const inserted = new Set(await storage.insertNew([...byId.values()].map((i) => i.event)));
  for (const id of inserted) status.set(id, "created");
  const existing = [...byId.keys()].filter((id) => !inserted.has(id));
  if (existing.length > 0) {
    const stored = new Map((await storage.eventsById(existing)).map((e) => [e.id, e]));
    for (const id of existing) {
      const row = stored.get(id);
      status.set(id, row && same(row, byId.get(id)!) ? "duplicate" : "conflict");
    }
  }
  // A repeated id inside one batch: its first copy decides; later copies are duplicates or conflicts of it.
  const seen = new Set<string>();
  const results = items.map((item) => {
    const id = item.event.id;
    let s = status.get(id)!;
    if (seen.has(id)) s = same(byId.get(id)!.event, item) ? "duplicate" : "conflict";
    seen.add(id);
    return { id, status: s };
  });
  const n = (s: string) => results.filter((r) => r.status === s).length;
  return { results, created: n("created"), duplicates: n("duplicate"), conflicts: n("conflict") };
}
