/**
 * Every OpenTelemetry name tokenledger emits, in one place.
 *
 * The GenAI semantic conventions are still "Development" and moved to their own repository in v1.42.0; the
 * token metric is being renamed there. A rename should be a one-line change in this file, so no other file
 * spells an attribute or metric name. Strings are copied from semantic-conventions v1.41.0
 * (`docs/gen-ai/gen-ai-spans.md`, `gen-ai-metrics.md`) rather than imported from
 * `@opentelemetry/semantic-conventions/incubating`, whose constants may break in minor releases.
 */

import { ATTRIBUTION_FIELDS, type AttributionField } from "tokenledger/storage-kit";

/** Attribute keys from the GenAI conventions (v1.41.0). */
export const GENAI = {
  operationName: "gen_ai.operation.name",
  providerName: "gen_ai.provider.name",
  requestModel: "gen_ai.request.model",
  requestStream: "gen_ai.request.stream",
  responseModel: "gen_ai.response.model",
  responseId: "gen_ai.response.id",
  /** A string array, one reason per choice / candidate, as the provider spells it. */
  responseFinishReasons: "gen_ai.response.finish_reasons",
  responseTimeToFirstChunk: "gen_ai.response.time_to_first_chunk",
  /** Cache-inclusive: uncached + cache reads + cache writes. */
  inputTokens: "gen_ai.usage.input_tokens",
  /** Reasoning included. */
  outputTokens: "gen_ai.usage.output_tokens",
  cacheReadInputTokens: "gen_ai.usage.cache_read.input_tokens",
  cacheCreationInputTokens: "gen_ai.usage.cache_creation.input_tokens",
  reasoningOutputTokens: "gen_ai.usage.reasoning.output_tokens",
  tokenType: "gen_ai.token.type",
  errorType: "error.type",
  httpStatusCode: "http.response.status_code",
} as const;

/** Our own attributes: the spec has no cost, attribution or pricing attribute. */
export const TL = {
  eventId: "tokenledger.event_id",
  /** Exact USD as a decimal string (the ledger's own value). */
  costUsd: "tokenledger.cost_usd",
  /** The same cost as a double, for backends that only aggregate numbers. */
  costUsdValue: "tokenledger.cost_usd_value",
  unpriced: "tokenledger.unpriced",
  /** Catalog key that priced the call, or `provided` when the cost came with the event. */
  priceSource: "tokenledger.price_source",
  provider: "tokenledger.provider",
  operation: "tokenledger.operation",
  requestId: "tokenledger.request_id",
  usageSource: "tokenledger.usage_source",
  /** A stream that ended early (break, abort, dropped connection): counts are what was seen. */
  incomplete: "tokenledger.incomplete",
  serviceTier: "tokenledger.service_tier",
  batch: "tokenledger.batch",
  sampleWeight: "tokenledger.sample_weight",
  budget: "tokenledger.budget_id",
  failoverFrom: "tokenledger.failover_from",
} as const;

/** One attribution field as an attribute: `tokenledger.<dimension>` (`tokenledger.cost_center`). */
export interface AttributionAttribute {
  /** The LedgerEvent property. */
  readonly key: (typeof ATTRIBUTION_FIELDS)[number]["key"];
  readonly name: string;
  /** Also a dimension of the cost and token-total counters: a bounded rollup dimension. */
  readonly metric: boolean;
}

/**
 * Derived from the one attribution field table, so a new dimension reaches spans (and, when bounded, metrics)
 * with no edit here. Fields that are no dimension (the trace id) are links, not attributes.
 */
export const ATTRIBUTION_ATTRIBUTES: readonly AttributionAttribute[] = ATTRIBUTION_FIELDS.flatMap((f) => {
  const field: AttributionField = f;
  if (field.dimension === null) return [];
  return [
    { key: f.key, name: `tokenledger.${field.dimension}`, metric: field.rollup && !field.highCardinality },
  ];
});

export interface MetricNames {
  readonly tokenUsage: string;
  readonly operationDuration: string;
  readonly timeToFirstChunk: string;
  readonly costUsage: string;
  /** Weighted token counter (sampling-corrected totals); the spec's histogram cannot carry a weight. */
  readonly tokenTotal: string;
  readonly budgetUtilization: string;
}

/** v1.41.0, the last release of the conventions in the main repository: what backends understand today. */
export const METRICS_V1_41: MetricNames = {
  tokenUsage: "gen_ai.client.token.usage",
  operationDuration: "gen_ai.client.operation.duration",
  timeToFirstChunk: "gen_ai.client.operation.time_to_first_chunk",
  costUsage: "tokenledger.cost.usage",
  tokenTotal: "tokenledger.token.usage",
  budgetUtilization: "tokenledger.budget.utilization",
};

/**
 * `OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental`: the token histogram under its unreleased
 * genai-repo name (changelog fragment 374.breaking). Commits of that repo disagree on the name; this is the
 * `gen_ai.client.inference.tokens` variant, still split by `gen_ai.token.type`. Revisit when it is tagged.
 */
export const METRICS_LATEST: MetricNames = {
  ...METRICS_V1_41,
  tokenUsage: "gen_ai.client.inference.tokens",
};

/** Endpoint variables with which the OTLP exporters find a collector on their own (CLI export turns on with them). */
export const OTLP_ENDPOINT_ENV = [
  "OTEL_EXPORTER_OTLP_ENDPOINT",
  "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
] as const;

export const SEMCONV_OPT_IN_ENV = "OTEL_SEMCONV_STABILITY_OPT_IN";
export const SEMCONV_OPT_IN_VALUE = "gen_ai_latest_experimental";

/** The metric names selected by `OTEL_SEMCONV_STABILITY_OPT_IN` (a comma-separated list). */
export function metricNames(env: NodeJS.ProcessEnv = process.env): MetricNames {
  const optIn = (env[SEMCONV_OPT_IN_ENV] ?? "").split(",").map((s) => s.trim());
  return optIn.includes(SEMCONV_OPT_IN_VALUE) ? METRICS_LATEST : METRICS_V1_41;
}

/** Bucket advice from the spec: powers of 4 for tokens, doubling seconds for durations. */
export const TOKEN_BUCKETS = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
] as const;
export const DURATION_BUCKETS = [
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
] as const;
export const TIME_TO_FIRST_CHUNK_BUCKETS = [
  0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
] as const;

/** Ledger provider → `gen_ai.provider.name` well-known value. Others pass through unchanged. */
export const PROVIDER_NAMES: Readonly<Record<string, string>> = {
  openai: "openai",
  azure: "azure.ai.openai",
  anthropic: "anthropic",
  bedrock: "aws.bedrock",
  gemini: "gcp.gemini",
  vertex: "gcp.vertex_ai",
  mistral: "mistral_ai",
  xai: "x_ai",
  groq: "groq",
  deepseek: "deepseek",
  perplexity: "perplexity",
  cohere: "cohere",
  openrouter: "openrouter",
  ollama: "ollama",
};

/** Ledger operation → `gen_ai.operation.name`. Every conversational API is `chat`; the original is kept. */
export const OPERATION_NAMES: Readonly<Record<string, string>> = {
  chat: "chat",
  responses: "chat",
  messages: "chat",
  converse: "chat",
  invoke: "chat",
  completion: "text_completion",
  completions: "text_completion",
  embeddings: "embeddings",
  generate_content: "generate_content",
};
