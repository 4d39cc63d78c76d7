/**
 * tokenledger: record the tokens, cost and latency of every LLM API call.
 * @module
 */
import { setPricerFactory } from "./core/pricer-resolution.js";
import { setStorageResolver } from "./core/storage-resolution.js";
import { createPricer, defaultPricer } from "./pricing/index.js";
import { resolveStorage } from "./storage-resolver.js";

// The wiring: the core knows neither storage adapters nor the price catalog; the package entry plugs both in,
// so `track()` and `new TokenTracker()` from "tokenledger" open the ledger and price by default.
setStorageResolver(resolveStorage);
setPricerFactory((pricing) => (pricing ? createPricer(pricing) : defaultPricer()));

export { track, untrack, unpatch, instrument, instrumentationReady, currentTracker } from "./track.js";
export type { TrackOptions } from "./track.js";
export type { InstrumentationReport, PatchedModule } from "../interceptors/registry.js";
export type { InterceptorOptions } from "../interceptors/_shared/types.js";

export { TokenTracker } from "./core/tracker.js";
export type { TrackerStats, FlushResult, DropReason } from "./core/tracker.js";
export type { TrackerOptions, StorageOption } from "./core/options.js";

export { withContext, getContext, validateAttribution } from "./core/context.js";
export type { Attribution, AttributionKey } from "./core/attribution.js";
export { ATTRIBUTION_KEYS } from "./core/attribution.js";

export type { LedgerEvent, UsageEventInput, EventStatus, UsageSource } from "./core/event.js";
export type { TokenBuckets, NormalizedUsage } from "./core/buckets.js";
export { BUCKET_KEYS, EMPTY_USAGE, totalInputTokens } from "./core/buckets.js";

export type { StorageAdapter } from "./core/storage.js";
export type { RecordListener, StoredEvent } from "./core/record-listeners.js";
export type { QuotaHistory } from "./core/quota-history.js";
export type { QuotaSnapshot, QuotaUnit, QuotaWindow } from "./quota/types.js";
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
export { DIMENSIONS, TIME_BUCKETS } from "./core/query.js";

export type { Pricer, PriceRequest, PriceResult } from "./core/pricer.js";
export type { Logger } from "./core/logger.js";
export { TokenLedgerError, TokenLedgerConfigError, StorageError } from "./core/errors.js";
export { redactSecrets } from "./core/redact.js";
export {
  resolveDatabaseTarget,
  parseDatabaseUrl,
  defaultSqlitePath,
  describeTarget,
} from "./core/database-url.js";
export type { DatabaseTarget } from "./core/database-url.js";
export { resolveStorage } from "./storage-resolver.js";
export { costTotals, costBy, topN, monthEndProjection } from "./reports/index.js";
export type { ReportFilter, MonthEndProjection } from "./reports/index.js";

export {
  createPricer,
  defaultPricer,
  costBreakdown,
  computeCost,
  importLiteLLM,
  defaultLiteLLMCachePath,
  parseCatalog,
  bundledCatalog,
  formatUsd,
} from "./pricing/index.js";
export type {
  PricingOptions,
  TokenLedgerPricer,
  CostBreakdown,
  BreakdownRequest,
  CostResult,
  BucketCost,
  BucketName,
  LiteLLMImportOptions,
  LiteLLMImportResult,
  LiteLLMRepair,
  ModelPrice,
  PriceInput,
  PriceTier,
  RateSet,
  PriceTable,
  PriceOrigin,
  ServiceTierName,
  MatchStep,
  OverridesDocument,
} from "./pricing/index.js";
export {
  fromOpenAIChatUsage,
  fromOpenAIResponsesUsage,
  fromOpenAIEmbeddingUsage,
  fromAnthropicUsage,
  mergeAnthropicStreamUsage,
  fromGeminiUsage,
  fromBedrockConverseUsage,
  fromBedrockInvokeBody,
  bedrockFamily,
} from "./usage/index.js";

export { trackCost, recordUsage } from "./manual.js";
export type { ManualCall, ManualUsage, NativeUsage, TrackCostInput, UsageRecorder } from "./manual.js";
export { trackLLM } from "./decorators.js";
export type { TrackLLMOptions, TrackLLMDecorator, ExtractedUsage } from "./decorators.js";

export { parseBudget, BudgetFieldError } from "./budgets/validate.js";
export { periodWindow } from "./budgets/period.js";
export type {
  Budget,
  BudgetInput,
  BudgetScope,
  BudgetPeriod,
  BudgetAction,
  BudgetCounter,
  PeriodWindow,
  RateLimit,
  WeekStart,
} from "./budgets/types.js";
// BudgetStore names what an app hands to BudgetGuard. The types of its methods' arguments and results
// (RateResult, Reserve*, SettledCounter, Alert*) are for store implementers: they live in tokenledger/storage-kit.
export type { BudgetStore } from "./budgets/store.js";
export { BudgetGuard, appliesTo } from "./budgets/guard.js";
export { declaredBudgets, syncDeclaredBudgets } from "./budgets/config-sync.js";
export type { SyncResult } from "./budgets/config-sync.js";
export { rebuildBudget } from "./budgets/rebuild.js";
export type { RebuildResult } from "./budgets/rebuild.js";
export { budgetStatuses, budgetStatus } from "./budgets/status.js";
export type { BudgetStatus, BudgetStatusOptions } from "./budgets/status.js";
export { projectSpend } from "./advice/forecast.js";
export type { SpendProjection, SpendProjectionInput } from "./advice/forecast.js";
export type { BudgetGuardOptions } from "./budgets/guard.js";
export { BudgetExceededError, BudgetRateLimitedError, BudgetUnpricedError } from "./budgets/errors.js";
export { estimateTokens } from "./budgets/estimate.js";
export { AlertOutbox, alertFor, crossedThresholds } from "./budgets/alerts/outbox.js";
export type { AlertChannel, BudgetAlert } from "./budgets/alerts/channel.js";
export { webhookChannel, signBody, verifySignature, SIGNATURE_HEADER } from "./budgets/alerts/webhook.js";
export type { WebhookChannelOptions } from "./budgets/alerts/webhook.js";
export { slackChannel } from "./budgets/alerts/slack.js";
export type { SlackChannelOptions } from "./budgets/alerts/slack.js";
export { emailChannel } from "./budgets/alerts/email.js";
export type { EmailChannelOptions } from "./budgets/alerts/email.js";
export { recordBatchResults } from "./batches/record.js";
export type { BatchProvider, RecordBatchOptions, RecordBatchSummary } from "./batches/record.js";
export { maskDatabaseUrl } from "./core/database-url.js";
export { adviceReport, recommend, detectAnomalies, forecastMonthEnd, dailySeries } from "./advice/index.js";
export type {
  AdviceOptions,
  AdviceReport,
  ScopedAnomaly,
  Recommendation,
  RecommendationType,
  RecommendOptions,
  AnomalyOptions,
  AnomalyPoint,
  MonthForecast,
  DailyPoint,
  Driver,
} from "./advice/index.js";
