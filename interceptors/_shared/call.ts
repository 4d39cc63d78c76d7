import type { Attribution } from "../../src/core/attribution.js";
import type { NormalizedUsage } from "../../src/core/buckets.js";
import { getContext, noteInterceptedCall } from "../../src/core/context.js";
import type { EventStatus, UsageEventInput, UsageSource } from "../../src/core/event.js";
import { clientSecrets, redactValues } from "./secrets.js";
import { openCallNote, type CallNote } from "./call-note.js";
import type { UsageSink } from "./types.js";
import type { Admission } from "./pre-call.js";

export interface CallStart {
  readonly provider: string;
  readonly operation: string;
  readonly requestedModel: string | null | undefined;
  readonly streamed: boolean;
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** The SDK client (or model object) making the call: its credentials are scrubbed from error messages. */
  readonly client?: unknown;
}

export interface CallOutcome {
  /** A stable event id (the proxy derives one from the provider's request id so the OTLP receiver's row matches). */
  readonly id?: string;
  /** Model the API answered with (dated snapshot). */
  readonly model?: string | null;
  readonly usage?: Partial<NormalizedUsage> | null;
  readonly usageSource?: UsageSource;
  readonly requestId?: string | null;
  /** The answer's own id and stop reasons (see ./response-meta.ts), for OpenTelemetry's gen_ai.response.*. */
  readonly responseId?: string | null;
  readonly finishReasons?: readonly string[] | null;
  readonly serviceTier?: string | null;
  readonly batch?: boolean;
  /** Overrides the provider chosen at start (for example Azure detected from the response). */
  readonly provider?: string;
  readonly requestedModel?: string | null;
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/**
 * One intercepted LLM call. Captures the start time and the attribution active when the call started,
 * and records exactly once however the call ends. No method here ever throws.
 */
export class LlmCall {
  readonly #sink: UsageSink;
  readonly #start: CallStart;
  readonly #timestamp = Date.now();
  readonly #t0 = performance.now();
  readonly #attribution: Attribution = getContext();
  #ttft: number | null = null;
  #done = false;
  readonly #note: CallNote | null;

  constructor(sink: UsageSink, start: CallStart) {
    this.#sink = sink;
    this.#start = start;
    this.#note = openCallNote(start.client);
    noteInterceptedCall();
  }

  #admission: Admission | undefined;

  /** The pre-call gate (budgets) let the call through: its metadata is recorded and it hears the event. */
  admitted(admission: Admission): void {
    this.#admission = admission;
  }

  get finished(): boolean {
    return this.#done;
  }

  /** Mark the first streamed token (idempotent). */
  firstToken(): void {
    if (this.#ttft === null) this.#ttft = performance.now() - this.#t0;
  }

  /** The call (or stream) completed normally. */
  succeed(outcome: CallOutcome): void {
    this.#finish("ok", outcome);
  }

  /**
   * The call failed or the stream stopped early. `partial` is whatever usage was seen before the end;
   * it is recorded as `partial` (or `missing` when nothing was seen), never as a silent zero.
   */
  fail(error: unknown, partial?: CallOutcome): void {
    const aborted = isAbort(error);
    this.#finish(aborted ? "aborted" : "error", partial ?? {}, aborted ? undefined : error);
  }

  /** The consumer stopped reading a stream early (`break`). */
  abandon(partial?: CallOutcome): void {
    this.#finish("aborted", partial ?? {});
  }

  #finish(status: EventStatus, outcome: CallOutcome, error?: unknown): void {
    if (this.#done) return;
    this.#done = true;
    try {
      const err = error as ErrorLike | undefined;
      const httpStatus = statusOf(err);
      const hasUsage = outcome.usage !== undefined && outcome.usage !== null;
      const source: UsageSource =
        outcome.usageSource ??
        (status === "ok"
          ? hasUsage
            ? "provider"
            : "missing"
          : hasUsage
            ? "partial"
            : httpStatus !== null
              ? "provider"
              : "missing");
      const admission = this.#admission;
      const extra = admission?.metadata;
      const input: UsageEventInput = {
        ...(outcome.id !== undefined ? { id: outcome.id } : {}),
        timestamp: this.#timestamp,
        provider: this.#note?.provider ?? outcome.provider ?? this.#start.provider,
        model: outcome.model ?? null,
        requestedModel: outcome.requestedModel ?? this.#start.requestedModel ?? null,
        operation: this.#start.operation,
        streamed: this.#start.streamed,
        status,
        errorType: err ? errorType(err) : status === "aborted" ? "AbortError" : null,
        httpStatus,
        errorMessage: err
          ? redactValues(String(err.message ?? err), clientSecrets(this.#start.client))
          : null,
        latencyMs: performance.now() - this.#t0,
        timeToFirstTokenMs: this.#ttft,
        requestId: outcome.requestId ?? requestIdOf(err) ?? null,
        ...(outcome.responseId ? { responseId: outcome.responseId } : {}),
        ...(outcome.finishReasons ? { finishReasons: outcome.finishReasons } : {}),
        usage: hasUsage ? outcome.usage : null,
        usageSource: source,
        serviceTier: outcome.serviceTier ?? null,
        batch: outcome.batch === true,
        attribution: this.#attribution,
        ...(this.#start.metadata || outcome.metadata || this.#note?.metadata || extra
          ? { metadata: { ...this.#start.metadata, ...outcome.metadata, ...this.#note?.metadata, ...extra } }
          : {}),
      };
      this.#sink.record(input);
      admission?.finish(input);
    } catch (e) {
      try {
        this.#sink.reportInternalError("record-call", e);
      } catch {
        /* a broken sink must not reach the caller */
      }
    }
  }
}

function errorType(err: { constructor?: { name?: string }; name?: string }): string {
  const ctor = err.constructor?.name;
  return ctor && ctor !== "Object" ? ctor : (err.name ?? "Error");
}

interface ErrorLike {
  status?: unknown;
  constructor?: { name?: string };
  name?: string;
  message?: unknown;
  request_id?: unknown;
  requestID?: unknown;
  $metadata?: { httpStatusCode?: unknown; requestId?: unknown };
}

// SDKs disagree on where an error keeps its HTTP status and request id (openai/anthropic: `status`,
// `requestID`/`request_id`; AWS: `$metadata`). Duck-typed so two copies of an SDK both work.
function requestIdOf(err: ErrorLike | undefined): string | undefined {
  const id = err?.requestID ?? err?.request_id ?? err?.$metadata?.requestId;
  return typeof id === "string" ? id : undefined;
}

/** An HTTP error answer (429, 500, ...) is reported by the provider, which bills no tokens for it. */
function statusOf(err: ErrorLike | undefined): number | null {
  const status = err?.status ?? err?.$metadata?.httpStatusCode;
  return typeof status === "number" ? status : null;
}

/** Duck-typed: `AbortError`, the SDKs' `APIUserAbortError`, or an AbortSignal reason. */
export function isAbort(error: unknown): boolean {
  const e = error as { name?: unknown; constructor?: { name?: unknown }; code?: unknown } | null;
  if (!e || typeof e !== "object") return false;
  const names = [e.name, e.constructor?.name];
  return names.some((n) => n === "AbortError" || n === "APIUserAbortError") || e.code === "ABORT_ERR";
}
