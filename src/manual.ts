import { Decimal } from "decimal.js";
import { uuidv7 } from "uuidv7";
import { z } from "zod";
import { mergeAttribution, type Attribution } from "./core/attribution.js";
import type { NormalizedUsage } from "./core/buckets.js";
import { getContext, noteInterceptedCall, validateAttribution } from "./core/context.js";
import { TokenLedgerConfigError } from "./core/errors.js";
import type { EventStatus, UsageEventInput } from "./core/event.js";
import { consoleLogger, SafeLogger } from "./core/logger.js";
import { currentTracker } from "./track.js";
import { fromNativeUsage } from "./usage/native.js";

/**
 * Token counts of one call, as the application knows them. One rule, no guessing:
 *
 * - `inputTokens` is **every** prompt token, cache reads and cache writes included (what OpenAI-compatible
 *   servers report as `prompt_tokens`, Ollama as `prompt_eval_count`). tokenledger splits it into disjoint
 *   buckets: uncached = inputTokens − cacheReadTokens − cache writes. A cache count larger than `inputTokens`
 *   is an error.
 * - Or give `uncachedInputTokens` (already disjoint, like Anthropic's `input_tokens`) instead of
 *   `inputTokens`; never both.
 * - `outputTokens` is every billed output token, reasoning included; `reasoningTokens` ⊂ `outputTokens`.
 */
export interface ManualUsage {
  readonly inputTokens?: number;
  readonly uncachedInputTokens?: number;
  readonly cacheReadTokens?: number;
  /** Same as `cacheWrite5mTokens` (the default cache lifetime); give one of the two. */
  readonly cacheWriteTokens?: number;
  readonly cacheWrite5mTokens?: number;
  readonly cacheWrite1hTokens?: number;
  readonly outputTokens: number;
  readonly reasoningTokens?: number;
  /** ⊂ the uncached input, priced at the audio rate. */
  readonly inputAudioTokens?: number;
  /** ⊂ `outputTokens`, priced at the audio rate. */
  readonly outputAudioTokens?: number;
  readonly webSearchRequests?: number;
}

/**
 * A provider SDK's usage object, passed as is with `provider` named: OpenAI Chat (`completion.usage`) or
 * Responses (`response.usage`), Anthropic (`message.usage`), Gemini (`response.usageMetadata`), Bedrock Converse
 * (`output.usage`). Mapped with the same normalisation as the interceptors (cached tokens are not billed twice).
 */
export type NativeUsage =
  | {
      readonly prompt_tokens: number;
      readonly completion_tokens?: number;
      readonly total_tokens?: number;
      readonly prompt_tokens_details?: unknown;
      readonly completion_tokens_details?: unknown;
    }
  | {
      readonly input_tokens: number | null;
      readonly output_tokens?: number | null;
      readonly input_tokens_details?: unknown;
      readonly output_tokens_details?: unknown;
      readonly cache_read_input_tokens?: number | null;
      readonly cache_creation_input_tokens?: number | null;
      readonly cache_creation?: unknown;
      readonly server_tool_use?: unknown;
      readonly service_tier?: unknown;
    }
  | {
      readonly promptTokenCount?: number;
      readonly candidatesTokenCount?: number;
      readonly totalTokenCount: number;
      readonly cachedContentTokenCount?: number;
      readonly thoughtsTokenCount?: number;
      readonly toolUsePromptTokenCount?: number;
    }
  | {
      readonly inputTokens: number | undefined;
      readonly outputTokens: number | undefined;
      readonly totalTokens: number | undefined;
      readonly cacheReadInputTokens?: number;
      readonly cacheWriteInputTokens?: number;
    };

/** Anything that accepts usage events; `TokenTracker` does. */
export interface UsageRecorder {
  record(input: UsageEventInput): void;
}

/** One call made without an interceptor (Ollama, Mistral, OpenRouter, Groq, any OpenAI-compatible server). */
export interface ManualCall {
  /** Any provider name, for example `ollama`, `openrouter`, `groq`. Used for pricing and rollups. */
  readonly provider: string;
  readonly model: string;
  /** tokenledger's counts, or the provider SDK's own usage object as returned (see `NativeUsage`). */
  readonly usage: ManualUsage | NativeUsage;
  /** `chat` by default. */
  readonly operation?: string;
  readonly latencyMs?: number;
  readonly timeToFirstTokenMs?: number;
  readonly status?: EventStatus;
  readonly errorType?: string;
  readonly streamed?: boolean;
  readonly requestId?: string;
  readonly serviceTier?: string;
  readonly batch?: boolean;
  /** When the call started; now by default. */
  readonly timestamp?: Date | number;
  /** Merged over the active `withContext` scope (these fields win). */
  readonly attribution?: Attribution;
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** The exact cost when the provider reports it (OpenRouter's `usage.cost`); skips pricing. */
  readonly costUsd?: string | number;
}

export interface TrackCostInput extends ManualCall {
  /** Where to record; the tracker from `track()` by default. */
  readonly tracker?: UsageRecorder;
}

const count = (msg = "must be a whole number of tokens, 0 or more") =>
  z.number({ error: msg }).int(msg).nonnegative(msg);
const text = z.string({ error: "must be a non-empty string" }).min(1, "must be a non-empty string");
const COST_MESSAGE = 'must be a decimal string such as "0.0012" or a non-negative number';

const usageSchema = z
  .object({
    inputTokens: count().optional(),
    uncachedInputTokens: count().optional(),
    cacheReadTokens: count().optional(),
    cacheWriteTokens: count().optional(),
    cacheWrite5mTokens: count().optional(),
    cacheWrite1hTokens: count().optional(),
    outputTokens: count("is required: a whole number of tokens, 0 or more"),
    reasoningTokens: count().optional(),
    inputAudioTokens: count().optional(),
    outputAudioTokens: count().optional(),
    webSearchRequests: count("must be a whole number, 0 or more").optional(),
  })
  .strict();

const callSchema = z
  .object({
    provider: text,
    model: text,
    usage: usageSchema,
    operation: text.optional(),
    latencyMs: z
      .number({ error: "must be a number of milliseconds" })
      .nonnegative("must not be negative")
      .finite()
      .optional(),
    timeToFirstTokenMs: z
      .number({ error: "must be a number of milliseconds" })
      .nonnegative("must not be negative")
      .finite()
      .optional(),
    status: z.enum(["ok", "error", "aborted"], { error: 'must be "ok", "error" or "aborted"' }).optional(),
    errorType: z.string({ error: "must be a string" }).optional(),
    streamed: z.boolean({ error: "must be true or false" }).optional(),
    requestId: z.string({ error: "must be a string" }).optional(),
    serviceTier: z.string({ error: "must be a string" }).optional(),
    batch: z.boolean({ error: "must be true or false" }).optional(),
    timestamp: z
      .union([z.date(), z.number().finite()], { error: "must be a Date or epoch milliseconds" })
      .optional(),
    attribution: z.unknown().optional(),
    metadata: z.record(z.string(), z.unknown(), { error: "must be a plain object" }).optional(),
    costUsd: z
      .union([z.string().regex(/^\d+(\.\d+)?$/, COST_MESSAGE), z.number().finite().nonnegative()], {
        error: COST_MESSAGE,
      })
      .optional(),
    tracker: z
      .custom<UsageRecorder>((v) => typeof (v as UsageRecorder | null)?.record === "function", {
        error: "must have a record(event) method (a TokenTracker)",
      })
      .optional(),
  })
  .strict();

/**
 * Check a manual call and turn it into a tracker input. Throws `TokenLedgerConfigError` naming the field
 * (`where` prefixes the message: `trackCost`, `recordUsage`, `@trackLLM usage()`).
 */
export function manualCallToEvent(input: unknown, where: string): UsageEventInput & { readonly id: string } {
  const native = nativeUsageOf(input, where);
  const parsed = callSchema.safeParse(native ? { ...(input as object), usage: { outputTokens: 0 } } : input);
  if (!parsed.success) {
    const messages = parsed.error.issues.map((issue) => {
      const path = issue.path.join(".");
      if (issue.code === "unrecognized_keys") {
        const keys = issue.keys.map((k) => `"${path ? `${path}.` : ""}${k}"`).join(", ");
        return `unknown field ${keys} (check the spelling; see ${path === "usage" ? "ManualUsage" : "ManualCall"})`;
      }
      return `"${path || "input"}" ${issue.message}`;
    });
    throw new TokenLedgerConfigError(`${where}: ${messages.join("; ")}`);
  }
  const call = parsed.data;
  const usage = native ?? toBuckets(call.usage, where);
  const attribution =
    call.attribution === undefined
      ? undefined
      : mergeAttribution(getContext(), validateAttribution(call.attribution, `${where}: attribution`));
  return {
    id: uuidv7(),
    provider: call.provider,
    model: call.model,
    requestedModel: call.model,
    operation: call.operation ?? "chat",
    usage,
    usageSource: "manual",
    ...(call.latencyMs !== undefined ? { latencyMs: call.latencyMs } : {}),
    ...(call.timeToFirstTokenMs !== undefined ? { timeToFirstTokenMs: call.timeToFirstTokenMs } : {}),
    ...(call.status ? { status: call.status } : {}),
    ...(call.errorType !== undefined ? { errorType: call.errorType } : {}),
    ...(call.streamed !== undefined ? { streamed: call.streamed } : {}),
    ...(call.requestId !== undefined ? { requestId: call.requestId } : {}),
    ...(call.serviceTier !== undefined ? { serviceTier: call.serviceTier } : {}),
    ...(call.batch !== undefined ? { batch: call.batch } : {}),
    ...(call.timestamp !== undefined ? { timestamp: call.timestamp } : {}),
    ...(attribution ? { attribution } : {}),
    ...(call.metadata ? { metadata: call.metadata } : {}),
    ...(call.costUsd !== undefined ? { costUsd: new Decimal(call.costUsd).toFixed() } : {}),
  };
}

/**
 * A provider SDK's own usage object (`completion.usage`, `message.usage`, `usageMetadata`, Converse `usage`),
 * normalised like an intercepted call; undefined for tokenledger's `ManualUsage`. Bad counts name the field.
 */
function nativeUsageOf(input: unknown, where: string): NormalizedUsage | undefined {
  const call = input as { provider?: unknown; usage?: unknown } | null;
  if (!call || typeof call !== "object" || typeof call.provider !== "string") return undefined;
  const buckets = fromNativeUsage(call.provider, call.usage);
  if (!buckets) return undefined;
  for (const [key, value] of Object.entries(buckets)) {
    if (!Number.isInteger(value) || value < 0) {
      throw new TokenLedgerConfigError(
        `${where}: "usage" (a ${call.provider} usage object) gives ${key} = ${String(value)}; counts must be whole numbers, 0 or more`,
      );
    }
  }
  return buckets;
}

/** Manual counts → disjoint buckets, enforcing the subset rules documented on `ManualUsage`. */
function toBuckets(u: z.infer<typeof usageSchema>, where: string): NormalizedUsage {
  const fail = (message: string): never => {
    throw new TokenLedgerConfigError(`${where}: ${message}`);
  };
  if (u.inputTokens !== undefined && u.uncachedInputTokens !== undefined) {
    fail(
      'give either "usage.inputTokens" (all prompt tokens, cache included) or "usage.uncachedInputTokens" ' +
        "(prompt tokens outside any cache), not both",
    );
  }
  if (u.cacheWriteTokens !== undefined && u.cacheWrite5mTokens !== undefined) {
    fail('"usage.cacheWriteTokens" and "usage.cacheWrite5mTokens" are the same bucket; give one of them');
  }
  const cacheRead = u.cacheReadTokens ?? 0;
  const write5m = u.cacheWrite5mTokens ?? u.cacheWriteTokens ?? 0;
  const write1h = u.cacheWrite1hTokens ?? 0;
  const cached = cacheRead + write5m + write1h;
  let uncached = u.uncachedInputTokens ?? 0;
  if (u.inputTokens !== undefined) {
    if (cached > u.inputTokens) {
      fail(
        `cache reads and writes (${cached}) exceed "usage.inputTokens" (${u.inputTokens}); inputTokens counts ` +
          "every prompt token, cache included (use uncachedInputTokens for the part outside the cache)",
      );
    }
    uncached = u.inputTokens - cached;
  }
  const reasoning = u.reasoningTokens ?? 0;
  if (reasoning > u.outputTokens) {
    fail(
      `"usage.reasoningTokens" (${reasoning}) exceed "usage.outputTokens" (${u.outputTokens}); output includes reasoning`,
    );
  }
  const inputAudio = u.inputAudioTokens ?? 0;
  if (inputAudio > uncached)
    fail(`"usage.inputAudioTokens" (${inputAudio}) exceed the uncached input (${uncached})`);
  const outputAudio = u.outputAudioTokens ?? 0;
  if (outputAudio > u.outputTokens) {
    fail(`"usage.outputAudioTokens" (${outputAudio}) exceed "usage.outputTokens" (${u.outputTokens})`);
  }
  return {
    uncachedInputTokens: uncached,
    cacheReadTokens: cacheRead,
    cacheWrite5mTokens: write5m,
    cacheWrite1hTokens: write1h,
    outputTokens: u.outputTokens,
    reasoningTokens: reasoning,
    inputAudioTokens: inputAudio,
    outputAudioTokens: outputAudio,
    tierBasisTokens: uncached + cached,
    webSearchRequests: u.webSearchRequests ?? 0,
  };
}

/**
 * Record one call on `tracker`, priced like an intercepted one (unknown model: cost null, flagged unpriced).
 * Returns the event id. Throws `TokenLedgerConfigError` naming the field when the input is malformed.
 */
export function recordUsage(tracker: UsageRecorder, call: ManualCall): string {
  if (tracker === null || typeof tracker !== "object" || typeof tracker.record !== "function") {
    throw new TokenLedgerConfigError(
      "recordUsage: the first argument must be a tracker with a record(event) method",
    );
  }
  const event = manualCallToEvent(call, "recordUsage");
  tracker.record(event);
  noteInterceptedCall(); // so an enclosing @trackLLM({ usage }) does not count this call again
  return event.id;
}

const log = new SafeLogger(consoleLogger);

/**
 * Record one call made through a provider tokenledger does not intercept, on `input.tracker` or the tracker
 * from `track()`. Returns the event id, or `undefined` (with a one-time warning) when there is no tracker.
 *
 * @example
 * const r = await ollama.chat({ model: "llama3.1", messages });
 * trackCost({ provider: "ollama", model: r.model, usage: { inputTokens: r.prompt_eval_count, outputTokens: r.eval_count } });
 */
export function trackCost(input: TrackCostInput): string | undefined {
  const event = manualCallToEvent(input, "trackCost");
  const tracker = input.tracker ?? currentTracker();
  if (!tracker) {
    log.warnOnce(
      "trackCost-no-tracker",
      "trackCost() was called before track(): the call is not recorded (pass { tracker } or call track() first)",
    );
    return undefined;
  }
  tracker.record(event);
  noteInterceptedCall();
  return event.id;
}
