import { uuidv7 } from "uuidv7";
import {
  attributionValues,
  mergeAttribution,
  type Attribution,
  type AttributionValues,
} from "./attribution.js";
import { EMPTY_USAGE, totalInputTokens, type NormalizedUsage } from "./buckets.js";
import type { LedgerEvent, UsageEventInput, UsageSource } from "./event.js";
import type { Pricer } from "./pricer.js";
import { isSecretName, redactSecrets, safeErrorMessage } from "./redact.js";

export interface BuildConfig {
  readonly pricer: Pricer;
  /** Tracker-level defaults (app, environment, metadata) under every context. */
  readonly defaults: Attribution;
  readonly maxMetadataBytes: number;
  readonly onUnpriced: (provider: string, model: string) => void;
  readonly onAnomaly: (message: string) => void;
  /** A pricer that throws or returns a non-decimal cost: the event is kept, unpriced. */
  readonly onPricingError: (error: unknown) => void;
}

export type BuildResult =
  { readonly ok: true; readonly event: LedgerEvent } | { readonly ok: false; readonly reason: "too_large" };

const USAGE_KEYS = Object.keys(EMPTY_USAGE) as (keyof NormalizedUsage)[];
// Costs stay decimal strings end to end; anything else (a float like 1e-7, a negative) is refused, not parsed.
const UNSIGNED_DECIMAL = /^\d+(\.\d+)?$/;

/** Validate raw counts. Non-numeric, negative or fractional counts are anomalies: the event is kept, unpriced. */
export function normalizeCounts(raw: UsageEventInput["usage"]): {
  usage: NormalizedUsage;
  invalid: string[];
} {
  if (!raw) return { usage: EMPTY_USAGE, invalid: [] };
  const out: Record<string, number> = {};
  const invalid: string[] = [];
  for (const key of USAGE_KEYS) {
    const v = raw[key];
    if (v === undefined || v === null) {
      out[key] = 0;
    } else if (typeof v === "number" && Number.isInteger(v) && v >= 0) {
      out[key] = v;
    } else {
      invalid.push(`${key}=${typeof v === "number" ? v : JSON.stringify(v)}`);
      out[key] = 0;
    }
  }
  // Long-context tiers go by prompt size; when the provider does not state the basis, the whole prompt is it.
  if (!out.tierBasisTokens) out.tierBasisTokens = totalInputTokens(out as unknown as NormalizedUsage);
  return { usage: out as unknown as NormalizedUsage, invalid };
}

/** Turn a recorded input into a stored event: id, attribution, validation, redaction and exact cost. */
export function buildEvent(
  input: UsageEventInput,
  context: Attribution,
  recordedAt: number,
  weight: number,
  cfg: BuildConfig,
): BuildResult {
  // Explicit attribution on the input (captured when a stream started) wins over the ambient context.
  const attribution = mergeAttribution(cfg.defaults, input.attribution ?? context);
  // Size first: redaction runs only on metadata small enough to keep.
  const merged = mergeMetadata(attribution.metadata, input.metadata);
  if (merged && jsonBytes(merged) > cfg.maxMetadataBytes) return { ok: false, reason: "too_large" };
  const metadata = redactMetadata(merged);

  const { usage, invalid } = normalizeCounts(input.usage);
  // The model the provider says it ran is billed; the requested alias is only a fallback (a failed call has none).
  const model = nonEmpty(input.model) ?? nonEmpty(input.requestedModel) ?? "unknown";
  const usageSource = checkUsage(input, model, usage, invalid, cfg);
  // The call's own start time when given (imports, streams), else when it was recorded: prices are looked up by date.
  const timestamp = new Date(toMillis(input.timestamp) ?? recordedAt);
  const serviceTier = nonEmpty(input.serviceTier) ?? null;
  const batch = input.batch === true;
  const { costUsd, pricingKey } = costOf(
    input,
    { model, usage, usageSource, serviceTier, batch, timestamp },
    cfg,
  );

  const event: LedgerEvent = {
    // uuidv7: time-ordered, so new ids land at the end of the primary-key index.
    id: input.id ?? uuidv7(),
    timestamp,
    provider: input.provider,
    model,
    requestedModel: nonEmpty(input.requestedModel) ?? null,
    operation: input.operation ?? "chat",
    streamed: input.streamed === true,
    status: input.status ?? "ok",
    errorType: input.errorType ?? null,
    httpStatus: typeof input.httpStatus === "number" ? input.httpStatus : null,
    errorMessage: safeErrorMessage(input.errorMessage),
    latencyMs: finiteOrNull(input.latencyMs),
    timeToFirstTokenMs: finiteOrNull(input.timeToFirstTokenMs),
    requestId: typeof input.requestId === "string" ? redactSecrets(input.requestId) : null,
    ...responseFields(input),
    usage,
    usageSource,
    serviceTier,
    batch,
    costUsd,
    unpriced: costUsd === null,
    pricingKey,
    ...redactedAttribution(attribution),
    metadata,
    sampleWeight: weight,
    ...failoverColumns(input, metadata),
  };
  return { ok: true, event };
}

/** Response id and finish reasons: omitted when unknown; the id is free text from the wire, so redacted. */
function responseFields(input: UsageEventInput): Pick<LedgerEvent, "responseId" | "finishReasons"> {
  const id = nonEmpty(input.responseId);
  const reasons = Array.isArray(input.finishReasons)
    ? input.finishReasons.filter((r): r is string => typeof r === "string" && r !== "").slice(0, MAX_REASONS)
    : [];
  return {
    ...(id !== undefined ? { responseId: redactSecrets(id.slice(0, 300)) } : {}),
    ...(reasons.length > 0 ? { finishReasons: reasons.map((r) => r.slice(0, 100)) } : {}),
  };
}
/** One reason per choice; `n` above this is rare and the tail adds nothing to a span. */
const MAX_REASONS = 16;

type FailoverColumns = Pick<
  LedgerEvent,
  "requestedTarget" | "effectiveTarget" | "attempt" | "failoverReason"
>;

/**
 * The failover columns: the input's own fields, else the `metadata.failover` note that tokenledger/failover
 * leaves on the event the SDK interceptor records (the interceptor knows nothing of failover). Absent on
 * events that did not go through a failover group.
 */
function failoverColumns(
  input: UsageEventInput,
  metadata: Readonly<Record<string, unknown>> | null,
): FailoverColumns {
  const raw = metadata?.failover;
  const note = (raw && typeof raw === "object" ? raw : {}) as Record<string, unknown>;
  const text = (v: unknown): string | undefined =>
    typeof v === "string" && v.length > 0 ? v.slice(0, 300) : undefined;
  const requestedTarget = text(input.requestedTarget) ?? text(note.requestedTarget);
  const effectiveTarget = text(input.effectiveTarget) ?? text(note.effectiveTarget);
  const n = input.attempt ?? note.attempt;
  const attempt = typeof n === "number" && Number.isInteger(n) && n > 0 ? n : undefined;
  const failoverReason = text(input.failoverReason) ?? text(note.reason);
  return {
    ...(requestedTarget !== undefined ? { requestedTarget } : {}),
    ...(effectiveTarget !== undefined ? { effectiveTarget } : {}),
    ...(attempt !== undefined ? { attempt } : {}),
    ...(failoverReason !== undefined ? { failoverReason } : {}),
  };
}

/** Attribution is free text too (an API key passed as a user id must not be stored). */
function redactedAttribution(attribution: Attribution): AttributionValues {
  const values: Record<string, string | null> = { ...attributionValues(attribution) };
  for (const [key, value] of Object.entries(values)) if (value !== null) values[key] = redactSecrets(value);
  return values as AttributionValues;
}

/** Report odd counts; invalid ones make the event `invalid` (kept, never priced: a guess would be wrong). */
function checkUsage(
  input: UsageEventInput,
  model: string,
  usage: NormalizedUsage,
  invalid: readonly string[],
  cfg: BuildConfig,
): UsageSource {
  if (invalid.length > 0) {
    cfg.onAnomaly(
      `${input.provider}/${model} reported invalid token counts (${invalid.join(", ")}); stored unpriced`,
    );
    return "invalid";
  }
  if (usage.reasoningTokens > usage.outputTokens) {
    cfg.onAnomaly(
      `${input.provider}/${model}: reasoningTokens ${usage.reasoningTokens} exceed outputTokens ${usage.outputTokens}`,
    );
  }
  return input.usageSource ?? "provider";
}

interface Priceable {
  readonly model: string;
  readonly usage: NormalizedUsage;
  readonly usageSource: UsageSource;
  readonly serviceTier: string | null;
  readonly batch: boolean;
  readonly timestamp: Date;
}

type Cost = { readonly costUsd: string | null; readonly pricingKey: string | null };
const UNPRICED: Cost = { costUsd: null, pricingKey: null };
const NO_USAGE: Cost = { costUsd: "0", pricingKey: "no-usage" };

/**
 * A failed call that carries no usage at all and was answered with an error status (a 404 for a misspelt model,
 * a 429, the proxy's 502 for an unreachable upstream) has zero billed tokens, so its cost is exactly 0 whatever
 * the model: flagging it unpriced would send the user to `prices check` for a problem no price fixes. A failure
 * with no status (a connection reset, a stream cut after the provider started generating) may have been billed
 * by an amount nobody reported, so it stays null and unpriced. Events with tokens are unaffected: an unknown
 * model still gives a null cost, flagged unpriced, never 0.
 */
function failedWithoutUsage(e: Priceable, httpStatus: number | null | undefined): boolean {
  const answeredWithError =
    e.usageSource === "provider" || (typeof httpStatus === "number" && httpStatus >= 400);
  return answeredWithError && e.usageSource !== "invalid" && USAGE_KEYS.every((k) => e.usage[k] === 0);
}

/**
 * The event's cost: a well-formed cost the caller provided wins; otherwise the pricer's. Events without
 * trustworthy counts are never priced, and a pricer that throws or returns a non-decimal leaves the event
 * unpriced (null cost, flagged) rather than failing the record: tracking never throws into the caller.
 */
function costOf(input: UsageEventInput, e: Priceable, cfg: BuildConfig): Cost {
  if (typeof input.costUsd === "string" && UNSIGNED_DECIMAL.test(input.costUsd)) {
    return { costUsd: input.costUsd, pricingKey: "provided" };
  }
  if (input.status === "error" && failedWithoutUsage(e, input.httpStatus)) return NO_USAGE;
  if (e.usageSource === "invalid" || e.usageSource === "missing") return UNPRICED;
  try {
    const priced = cfg.pricer.price({
      provider: input.provider,
      model: e.model,
      requestedModel: nonEmpty(input.requestedModel) ?? null,
      usage: e.usage,
      serviceTier: e.serviceTier,
      batch: e.batch,
      at: e.timestamp,
    });
    if (
      priced.costUsd !== null &&
      !(typeof priced.costUsd === "string" && UNSIGNED_DECIMAL.test(priced.costUsd))
    ) {
      throw new TypeError(`pricer returned an invalid cost ${JSON.stringify(priced.costUsd)} for ${e.model}`);
    }
    if (priced.costUsd === null) {
      cfg.onUnpriced(input.provider, e.model);
      return UNPRICED;
    }
    return { costUsd: priced.costUsd, pricingKey: priced.pricingKey ?? null };
  } catch (err) {
    cfg.onPricingError(err);
    return UNPRICED;
  }
}

function mergeMetadata(
  a: Readonly<Record<string, unknown>> | undefined,
  b: Readonly<Record<string, unknown>> | undefined,
): Readonly<Record<string, unknown>> | null {
  if (!a && !b) return null;
  // The call's own keys win over the context's; an empty result is stored as null, the same as none.
  const merged = { ...a, ...b };
  return Object.keys(merged).length > 0 ? merged : null;
}

/** Metadata is free text from the application: secrets in string values are redacted like error messages. */
function redactMetadata(
  metadata: Readonly<Record<string, unknown>> | null,
): Readonly<Record<string, unknown>> | null {
  if (!metadata) return null;
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === "string") return redactSecrets(v);
    // Depth-capped so a deep (or hostile) structure cannot make recording slow.
    if (depth > 8 || v === null || typeof v !== "object") return v;
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v))
      out[k] = typeof x === "string" && isSecretName(k) ? "[REDACTED]" : walk(x, depth + 1);
    return out;
  };
  return walk(metadata, 0) as Record<string, unknown>;
}

function jsonBytes(value: unknown): number {
  try {
    return Buffer.byteLength(JSON.stringify(value) ?? "", "utf8");
  } catch {
    return Number.POSITIVE_INFINITY; // circular or unserialisable metadata cannot be stored
  }
}

function nonEmpty(v: string | null | undefined): string | undefined {
  return typeof v === "string" && v.length > 0 ? v : undefined;
}

/** Timings in ms to 3 decimals (finer digits are noise); NaN or negative ones (a clock step) are dropped. */
function finiteOrNull(v: number | null | undefined): number | null {
  return typeof v === "number" && Number.isFinite(v) && v >= 0 ? Math.round(v * 1000) / 1000 : null;
}

/** An invalid Date or a non-finite number gives undefined, so the caller falls back to the recording time. */
function toMillis(v: Date | number | undefined): number | undefined {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.getTime();
  if (typeof v === "number" && Number.isFinite(v)) return v;
  return undefined;
}
