import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * The root `tokenledger` entry is the application API. Adding or removing a name here is a decision about the
 * public surface (and a semver event), so this list must be edited by hand together with `src/index.ts`.
 * Adapter building blocks belong in `tokenledger/storage-kit`, internals nowhere public.
 */
const ROOT_VALUES = [
  // Budgets: errors apps catch, config-declared budgets, rebuild of a period's spend (issue 13).
  "BudgetFieldError",
  "BudgetRateLimitedError",
  "declaredBudgets",
  "rebuildBudget",
  "syncDeclaredBudgets",
  // Budget status with its period-end forecast, and the shared projection (issue 13, forecast).
  "budgetStatus",
  "budgetStatuses",
  "projectSpend",
  "ATTRIBUTION_KEYS",
  "AlertOutbox",
  "BUCKET_KEYS",
  "BudgetExceededError",
  "BudgetGuard",
  "BudgetUnpricedError",
  "DIMENSIONS",
  "EMPTY_USAGE",
  "SIGNATURE_HEADER",
  "StorageError",
  "TIME_BUCKETS",
  "TokenLedgerConfigError",
  "TokenLedgerError",
  "TokenTracker",
  "adviceReport",
  "alertFor",
  "appliesTo",
  "bedrockFamily",
  "bundledCatalog",

  "computeCost",
  "costBreakdown",
  "costBy",
  "costTotals",
  "createPricer",
  "crossedThresholds",
  "currentTracker",
  "dailySeries",
  "defaultLiteLLMCachePath",
  "defaultPricer",
  "defaultSqlitePath",
  "describeTarget",
  "detectAnomalies",
  "emailChannel",
  "estimateTokens",
  "forecastMonthEnd",
  "formatUsd",
  "fromAnthropicUsage",
  "fromBedrockConverseUsage",
  "fromBedrockInvokeBody",
  "fromGeminiUsage",
  "fromOpenAIChatUsage",
  "fromOpenAIEmbeddingUsage",
  "fromOpenAIResponsesUsage",
  "getContext",
  "importLiteLLM",
  "instrument",
  "instrumentationReady",
  "maskDatabaseUrl",
  "mergeAnthropicStreamUsage",
  "monthEndProjection",
  "parseBudget",
  "parseCatalog",
  "parseDatabaseUrl",
  "periodWindow",
  "recommend",
  "recordBatchResults",
  "recordUsage",
  "redactSecrets",
  "resolveDatabaseTarget",
  "resolveStorage",
  "signBody",
  "slackChannel",

  "topN",
  "totalInputTokens",
  "track",
  "trackCost",
  "trackLLM",
  "unpatch",
  "untrack",
  "validateAttribution",
  "verifySignature",
  "webhookChannel",
  "withContext",
];
const ROOT_TYPES = [
  "BudgetStatus",
  "BudgetStatusOptions",
  "SpendProjection",
  "SpendProjectionInput",
  "RateLimit",
  "RebuildResult",
  "SyncResult",
  "AdviceOptions",
  "AdviceReport",
  "AlertChannel",
  "AnomalyOptions",
  "AnomalyPoint",
  "Attribution",
  "AttributionKey",
  "BatchProvider",
  "BreakdownRequest",
  "BucketCost",
  "BucketName",
  "Budget",
  "BudgetAction",
  "BudgetAlert",
  "BudgetCounter",
  "BudgetGuardOptions",
  "BudgetInput",
  "BudgetPeriod",
  "BudgetScope",
  // Its method types (RateResult, Reserve*, SettledCounter, Alert*) are kit-only: only store implementers use them.
  "BudgetStore",
  "CostBreakdown",
  "CostResult",
  "DailyPoint",
  "DatabaseTarget",
  "Dimension",
  "Driver",
  "DropReason",
  "EmailChannelOptions",
  "EventQuery",
  "EventStatus",
  "ExtractedUsage",
  "FlushResult",
  "InstrumentationReport",
  "InterceptorOptions",
  "LatencyQuery",
  "LatencyRow",
  "LedgerEvent",
  "LiteLLMImportOptions",
  "LiteLLMImportResult",
  "LiteLLMRepair",
  "Logger",
  "ManualCall",
  "ManualUsage",
  "MatchStep",
  "ModelPrice",
  "MonthEndProjection",
  "MonthForecast",
  "NativeUsage",
  "NormalizedUsage",
  "OverridesDocument",
  "PatchedModule",
  "PeriodWindow",
  "PriceInput",
  "PriceOrigin",
  "PriceRequest",
  "PriceResult",
  "PriceTable",
  "PriceTier",
  "Pricer",
  "PricingOptions",
  "QuotaHistory",
  "QuotaSnapshot",
  "QuotaUnit",
  "QuotaWindow",
  "RateSet",
  "RecommendOptions",
  "Recommendation",
  "RecommendationType",
  "RecordBatchOptions",
  "RecordBatchSummary",
  "RecordListener",
  "ReportFilter",
  "RollupMeasures",
  "RollupQuery",
  "RollupResult",
  "RollupRow",
  "ScopedAnomaly",
  "ServiceTierName",
  "SlackChannelOptions",
  "StorageAdapter",
  "StorageOption",
  "StoredEvent",
  "TimeBucket",
  "TokenBuckets",
  "TokenLedgerPricer",
  "TrackCostInput",
  "TrackLLMDecorator",
  "TrackLLMOptions",
  "TrackOptions",
  "TrackerOptions",
  "TrackerStats",
  "UsageEventInput",
  "UsageRecorder",
  "UsageSource",
  "WebhookChannelOptions",
  "WeekStart",
];

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));

/**
 * Every name each entry exports, types included, as the checker sees it: the source the `.d.ts` is built from,
 * or the built `.d.ts` itself. One program for all entries, since building one costs seconds.
 */
function declaredExports(...entries: string[]): string[][] {
  const host = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined };
  const config = ts.getParsedCommandLineOfConfigFile(resolve(ROOT, "tsconfig.json"), {}, host);
  const files = entries.map((e) => resolve(ROOT, e));
  const program = ts.createProgram(files, { ...config!.options, noEmit: true });
  const checker = program.getTypeChecker();
  return files.map((file) => {
    const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(file)!)!;
    return checker
      .getExportsOfModule(moduleSymbol)
      .map((s) => s.name)
      .sort();
  });
}

/** CI builds before it tests; a local run without `npm run build` has no dist/ to compare. */
const BUILT = ["dist/index.d.ts", "dist/index.d.cts"];
const hasDist = BUILT.every((f) => existsSync(resolve(ROOT, f)));

describe("root entry surface", () => {
  it("exports exactly the listed values at run time", async () => {
    const root = await import("tokenledger");
    expect(Object.keys(root).sort()).toEqual([...ROOT_VALUES].sort());
  });

  it("declares exactly the listed values and types", () => {
    expect(declaredExports("src/index.ts")[0]).toEqual([...ROOT_VALUES, ...ROOT_TYPES].sort());
  }, 60_000);

  // The published types are what users compile against: a bundler or `stripInternal` difference shows up only here.
  it.skipIf(!hasDist)(
    `the built ${BUILT.join(" and ")} declare the same names${hasDist ? "" : " (skipped: no dist/, run npm run build)"}`,
    () => {
      const [esm, cjs] = declaredExports(...BUILT);
      expect(esm, `${BUILT[0]} (stale? npm run build)`).toEqual([...ROOT_VALUES, ...ROOT_TYPES].sort());
      expect(cjs, `${BUILT[1]} (stale? npm run build)`).toEqual([...ROOT_VALUES, ...ROOT_TYPES].sort());
    },
    60_000,
  );

  it("exports nothing marked @internal", () => {
    expect(readFileSync(resolve(ROOT, "src/index.ts"), "utf8")).not.toMatch(/@internal/);
  });
});
