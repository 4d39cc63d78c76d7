import { uuidv7 } from "uuidv7";
import { attributionValues, mergeAttribution, type Attribution } from "./attribution.js";
import { EMPTY_USAGE, totalInputTokens, type NormalizedUsage } from "./buckets.js";
import type { LedgerEvent, UsageEventInput, UsageSource } from "./event.js";
import type { Pricer } from "./pricer.js";
import { redactSecrets, safeErrorMessage } from "./redact.js";

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
  const attribution = mergeAttribution(cfg.defaults, input.attribution ?? context);
  // Size first: redaction runs only on metadata small enough to keep.
  const merged = mergeMetadata(attribution.metadata, input.metadata);
  if (merged && jsonBytes(merged) > cfg.maxMetadataBytes) return { ok: false, reason: "too_large" };
  const metadata = redactMetadata(merged);

  const { usage, invalid } = normalizeCounts(input.usage);
  const model = nonEmpty(input.model) ?? nonEmpty(input.requestedModel) ?? "unknown";
  let usageSource: UsageSource = input.usageSource ?? "provider";
  if (invalid.length > 0) {
    usageSource = "invalid";
    cfg.onAnomaly(
      `${input.provider}/${model} reported invalid token counts (${invalid.join(", ")}); stored unpriced`,
    );
  } else if (usage.reasoningTokens > usage.outputTokens) {
    cfg.onAnomaly(
      `${input.provider}/${model}: reasoningTokens ${usage.reasoningTokens} exceed outputTokens ${usage.outputTokens}`,
    );
  }
  const timestamp = new Date(toMillis(input.timestamp) ?? recordedAt);
  const serviceTier = nonEmpty(input.serviceTier) ?? null;
  const batch = input.batch === true;

  let costUsd: string | null = null;
  let pricingKey: string | null = null;
  if (typeof input.costUsd === "string" && UNSIGNED_DECIMAL.test(input.costUsd)) {
    costUsd = input.costUsd;
    pricingKey = "provided";
  } else if (usageSource !== "invalid" && usageSource !== "missing") {
    try {
      const priced = cfg.pricer.price({
        provider: input.provider,
        model,
        requestedModel: nonEmpty(input.requestedModel) ?? null,
        usage,
        serviceTier,
        batch,
        at: timestamp,
      });
      if (
        priced.costUsd !== null &&
        !(typeof priced.costUsd === "string" && UNSIGNED_DECIMAL.test(priced.costUsd))
      ) {
        throw new TypeError(`pricer returned an invalid cost ${JSON.stringify(priced.costUsd)} for ${model}`);
      }
      costUsd = priced.costUsd;
      pricingKey = priced.costUsd === null ? null : (priced.pricingKey ?? null);
      if (costUsd === null) cfg.onUnpriced(input.provider, model);
    } catch (err) {
      cfg.onPricingError(err);
    }
  }

  const event: LedgerEvent = {
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
    requestId: input.requestId ?? null,
    usage,
    usageSource,
    serviceTier,
    batch,
    costUsd,
    unpriced: costUsd === null,
    pricingKey,
    ...attributionValues(attribution),
    metadata,
    sampleWeight: weight,
  };
  return { ok: true, event };
}

function mergeMetadata(
  a: Readonly<Record<string, unknown>> | undefined,
  b: Readonly<Record<string, unknown>> | undefined,
): Readonly<Record<string, unknown>> | null {
  if (!a && !b) return null;
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
    if (depth > 8 || v === null || typeof v !== "object") return v;
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = walk(x, depth + 1);
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

function finiteOrNull(v: number | null | undefined): number | null {
  return typeof v === "number" && Number.isFinite(v) && v >= 0 ? Math.round(v * 1000) / 1000 : null;
}

function toMillis(v: Date | number | undefined): number | undefined {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.getTime();
  if (typeof v === "number" && Number.isFinite(v)) return v;
  return undefined;
}
