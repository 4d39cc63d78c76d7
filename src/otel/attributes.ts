import { totalInputTokens, type LedgerEvent } from "tokenledger";
import { ATTRIBUTION_ATTRIBUTES, GENAI, OPERATION_NAMES, PROVIDER_NAMES, TL } from "./semconv.js";

/** Attribute values OpenTelemetry accepts; kept structural so this file needs no `@opentelemetry/api`. */
export type AttributeValue = string | number | boolean | string[];
export type Attributes = Record<string, AttributeValue>;

export function genAiProvider(provider: string): string {
  return PROVIDER_NAMES[provider] ?? provider;
}

export function genAiOperation(operation: string): string {
  return OPERATION_NAMES[operation] ?? operation;
}

/** The model the caller asked for, as the spec's `gen_ai.request.model`. */
export function requestModel(e: LedgerEvent): string {
  return e.requestedModel ?? e.model;
}

/** `{gen_ai.operation.name} {gen_ai.request.model}`, the span name the spec asks for. */
export function spanName(e: LedgerEvent): string {
  return `${genAiOperation(e.operation)} ${requestModel(e)}`;
}

/** Low-cardinality error class for `error.type`; undefined for a successful call. */
export function errorType(e: LedgerEvent): string | undefined {
  if (e.status === "ok") return undefined;
  return e.errorType ?? (e.status === "aborted" ? "aborted" : "_OTHER");
}

/** Token counts were reported (or seen, for a cut stream): only then are token metrics recorded. */
export function hasUsage(e: LedgerEvent): boolean {
  return e.usageSource !== "missing" && e.usageSource !== "invalid";
}

/** Attributes shared by the span and every metric point (the spec's metric attributes). */
export function commonAttributes(e: LedgerEvent): Attributes {
  const a: Attributes = {
    [GENAI.operationName]: genAiOperation(e.operation),
    [GENAI.providerName]: genAiProvider(e.provider),
    [GENAI.requestModel]: requestModel(e),
    [GENAI.responseModel]: e.model,
  };
  const err = errorType(e);
  if (err !== undefined) a[GENAI.errorType] = err;
  return a;
}

/**
 * Every span attribute for one ledger event. Never prompt or completion content: the ledger does not hold
 * any, and error messages (already redacted) stay out too.
 *
 * Token normalisation: the ledger keeps disjoint billing buckets, the spec wants `input_tokens` to include
 * cache reads and writes (both 5-minute and 1-hour), and `output_tokens` to include reasoning, which the
 * ledger's `outputTokens` already does.
 */
export function spanAttributes(e: LedgerEvent): Attributes {
  const u = e.usage;
  const a = commonAttributes(e);
  a[GENAI.requestStream] = e.streamed;
  if (e.responseId) a[GENAI.responseId] = e.responseId;
  if (e.finishReasons?.length) a[GENAI.responseFinishReasons] = [...e.finishReasons];
  if (e.streamed && e.timeToFirstTokenMs !== null)
    a[GENAI.responseTimeToFirstChunk] = e.timeToFirstTokenMs / 1000;
  if (e.httpStatus !== null && e.status !== "ok") a[GENAI.httpStatusCode] = e.httpStatus;
  if (hasUsage(e)) {
    a[GENAI.inputTokens] = totalInputTokens(u);
    a[GENAI.outputTokens] = u.outputTokens;
    if (u.cacheReadTokens > 0) a[GENAI.cacheReadInputTokens] = u.cacheReadTokens;
    const cacheWrites = u.cacheWrite5mTokens + u.cacheWrite1hTokens;
    if (cacheWrites > 0) a[GENAI.cacheCreationInputTokens] = cacheWrites;
    if (u.reasoningTokens > 0) a[GENAI.reasoningOutputTokens] = u.reasoningTokens;
  }
  a[TL.eventId] = e.id;
  a[TL.provider] = e.provider;
  a[TL.operation] = e.operation;
  if (e.costUsd !== null) {
    a[TL.costUsd] = e.costUsd;
    a[TL.costUsdValue] = Number(e.costUsd);
  } else {
    a[TL.unpriced] = true;
  }
  if (e.pricingKey !== null) a[TL.priceSource] = e.pricingKey;
  if (e.requestId !== null) a[TL.requestId] = e.requestId;
  if (e.usageSource !== "provider") a[TL.usageSource] = e.usageSource;
  if (e.usageSource === "partial") a[TL.incomplete] = true;
  if (e.serviceTier !== null) a[TL.serviceTier] = e.serviceTier;
  if (e.batch) a[TL.batch] = true;
  if (e.sampleWeight !== 1) a[TL.sampleWeight] = e.sampleWeight;
  for (const f of ATTRIBUTION_ATTRIBUTES) setIf(a, f.name, e[f.key]);
  setIf(a, TL.budget, stringMeta(e, "budgetId"));
  setIf(a, TL.failoverFrom, stringMeta(e, "failoverFrom"));
  return a;
}

/**
 * Attributes of the cost counter: the spec's metric attributes plus the bounded rollup dimensions. The user id
 * is left out (`highCardinality` in the field table): it would explode a metrics backend.
 */
export function costAttributes(e: LedgerEvent): Attributes {
  const a = commonAttributes(e);
  for (const f of ATTRIBUTION_ATTRIBUTES) if (f.metric) setIf(a, f.name, e[f.key]);
  return a;
}

function setIf(a: Attributes, key: string, value: string | null | undefined): void {
  if (typeof value === "string" && value.length > 0) a[key] = value;
}

/** Budget and failover details arrive as event metadata until the ledger has columns for them. */
function stringMeta(e: LedgerEvent, key: string): string | undefined {
  const v = e.metadata?.[key];
  return typeof v === "string" ? v : undefined;
}
