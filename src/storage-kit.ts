/**
 * `tokenledger/storage-kit`: everything a storage backend is built from, kept apart from the application API
 * (the way kysely keeps its dialect kit apart from the query builder). The built-in adapters import only this
 * entry and their own relative modules, never the root `tokenledger`, so the root stays the user's surface and
 * no import circle runs through it. Third-party adapters use the same kit.
 * @module
 */

// The port and what flows through it.
export type { StorageAdapter } from "./core/storage.js";
export type { LedgerEvent, EventStatus, UsageSource } from "./core/event.js";
export type { TokenBuckets, NormalizedUsage } from "./core/buckets.js";
export type {
  Dimension,
  TimeBucket,
  RollupQuery,
  RollupRow,
  RollupResult,
  RollupMeasures,
  LatencyQuery,
  LatencyRow,
  EventQuery,
} from "./core/query.js";
export { DIMENSIONS, DIMENSION_SOURCE, TIME_BUCKETS } from "./core/query.js";
export { ATTRIBUTION_FIELDS } from "./core/attribution-fields.js";
export type { AttributionField, AttributionKey } from "./core/attribution-fields.js";
export type { AttributionValues } from "./core/attribution.js";
export type { QuotaHistory } from "./core/quota-history.js";
export { snapshotContent } from "./core/quota-history.js";
export { canonicalJson } from "./core/canonical-json.js";
export type { QuotaSnapshot, QuotaUnit, QuotaWindow } from "./quota/types.js";
export type {
  BudgetStore,
  ReserveItem,
  ReserveRequest,
  ReserveResult,
  ReserveRefusal,
  SettledCounter,
  AlertKey,
  AlertRow,
  RateResult,
} from "./budgets/store.js";
export type { Budget, BudgetCounter, RateLimit } from "./budgets/types.js";
export type { Logger } from "./core/logger.js";

// Errors: classes are brand-checked, so `instanceof` holds across this entry and the root (see core/errors.ts).
export { TokenLedgerError, TokenLedgerConfigError, StorageError } from "./core/errors.js";
export { classifyStorageError, toStorageError } from "./core/storage-errors.js";
export type { StorageErrorKind } from "./core/storage-errors.js";
export { redactSecrets } from "./core/redact.js";
export { maskDatabaseUrl } from "./core/database-url.js";

// Shared helpers and the base every adapter builds on.
export { StorageAdapterBase } from "../adapters/_shared/storage-base.js";
export { Dec, usdToPico, picoPartsToUsd } from "../adapters/_shared/decimal.js";
export { EVENT_COLUMN, ROLLUP_DIMENSIONS, inRollup, whereValues } from "../adapters/_shared/dimensions.js";
export type { RollupDimension } from "../adapters/_shared/dimensions.js";
export { emptyRaw, addEvent, addRaw, toMeasures, formatCost } from "../adapters/_shared/measures.js";
export type { RawMeasures } from "../adapters/_shared/measures.js";
export { compareGroups, orderRows } from "../adapters/_shared/order.js";
// The server's latency histogram buckets (migration 0022): one definition for the SQL and the server.
export {
  HISTOGRAMS,
  LADDER,
  LAST_STEP,
  histogramFor,
  latencyBucket,
} from "../adapters/_shared/latency-buckets.js";
export type { Histogram, TimedMetric } from "../adapters/_shared/latency-buckets.js";
export { checkQuery, groupDims, percentileKey, nearestRank } from "../adapters/_shared/query-checks.js";
export {
  checkTimeZone,
  offsetSpans,
  hourAlignedSpans,
  bucketLabel,
  bucketOf,
} from "../adapters/_shared/time-zone.js";
export type { OffsetSpan } from "../adapters/_shared/time-zone.js";
// The remote (server) backend: its URL rules and the retry backoff it shares with the tracker.
export { parseServerUrl, resolveApiKey, isServerUrl } from "./core/server-url.js";
export type { ServerUrl } from "./core/server-url.js";
export { backoffDelay, DEFAULT_BACKOFF } from "./core/backoff.js";
export type { BackoffPolicy } from "./core/backoff.js";
// The server's tables (API keys, sessions, audit trail): the rows SQL adapters store for `tokenledger serve`.
export type {
  ApiKeyRow,
  SessionRow,
  AccessStore,
  AuditInput,
  AuditEntry,
  AuditVerdict,
  AuditLog,
  TimedCounts,
  TimedCountQuery,
  ValueCount,
} from "./server/ports.js";
