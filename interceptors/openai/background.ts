import { uuidv7 } from "uuidv7";
import type { UsageEventInput } from "../../src/core/event.js";
import { reportSafely } from "../_shared/guard.js";
import type { InterceptorOptions, UsageSink } from "../_shared/types.js";
import { toOutcome, type CallPlan } from "./plan.js";

/**
 * OpenAI Responses `background: true`. `create()` answers at once with `status: "queued"` and no usage; the
 * model runs (and bills) later. The call is recorded then, as pending (usage `missing`,
 * `metadata.responseStatus` = the queued status), and the SAME event (same id, through the tracker's
 * `revise()`) is completed when the application reads the finished response: `responses.retrieve(id)`,
 * `retrieve(id, { stream: true })` or `responses.stream({ response_id })`. One event per response, never two.
 */
export interface BackgroundCall {
  /** The pending event as it was recorded (its id is the one the completion overwrites). */
  recorded?: UsageEventInput & { readonly id: string };
  /** The `Responses` resource that created it (polling retrieves through it, with the caller's key). */
  readonly resource: unknown;
  readonly options: InterceptorOptions;
}

interface Waiting {
  readonly plan: CallPlan;
  readonly pending: UsageEventInput & { readonly id: string };
}

/** Response id → the pending event. Bounded: past the cap the oldest stays pending (never a wrong number). */
const waiting = new Map<string, Waiting>();
const MAX_WAITING = 10_000;
const PENDING = new Set(["queued", "in_progress"]);
const TERMINAL = new Set(["completed", "incomplete", "failed", "cancelled"]);

export function isBackgroundRequest(operation: string, params: unknown): boolean {
  return operation === "responses" && (params as { background?: unknown } | null)?.background === true;
}

/** The call's sink, seeing the input it records so the completion can overwrite exactly that event. */
export function capturingSink(sink: UsageSink, background: BackgroundCall): UsageSink {
  return {
    record: (input) => {
      if (input.id) background.recorded = { ...input, id: input.id };
      sink.record(input);
    },
    reportInternalError: (stage, err) => sink.reportInternalError(stage, err),
    reportAnomaly: (message) => sink.reportAnomaly(message),
  };
}

interface ResponseBody {
  readonly id?: unknown;
  readonly status?: unknown;
  readonly model?: unknown;
  readonly usage?: unknown;
  readonly service_tier?: unknown;
  readonly error?: { readonly message?: unknown } | null;
}

/**
 * `create()` answered for a background request. True when the answer was still pending and was recorded as
 * such; false when it already finished (then the caller records it as an ordinary call).
 */
export function recordPending(plan: CallPlan, body: ResponseBody, requestId: string | null): boolean {
  const background = plan.background;
  if (!background || typeof body.id !== "string" || !PENDING.has(String(body.status))) return false;
  plan.call.succeed({
    ...toOutcome(plan, { model: body.model, requestId, serviceTier: body.service_tier }),
    id: uuidv7(),
    metadata: { background: true, responseId: body.id, responseStatus: body.status },
  });
  if (!background.recorded) return true;
  if (waiting.size >= MAX_WAITING) waiting.delete(waiting.keys().next().value as string);
  waiting.set(body.id, { plan, pending: background.recorded });
  pollIfEnabled(background.resource, body.id, background.options, plan.sink);
  return true;
}

export function isWaiting(responseId: unknown): boolean {
  return typeof responseId === "string" && waiting.has(responseId);
}

/** A response body seen by `retrieve` (or a stream's final event): completes its pending event once. */
export function completeBackground(body: unknown): void {
  const r = body as ResponseBody | null;
  if (!r || typeof r.id !== "string" || !TERMINAL.has(String(r.status))) return;
  const entry = waiting.get(r.id);
  if (!entry) return;
  waiting.delete(r.id);
  const { plan, pending } = entry;
  try {
    const outcome = toOutcome(plan, { model: r.model, usage: r.usage, serviceTier: r.service_tier });
    const status = r.status === "failed" ? "error" : r.status === "cancelled" ? "aborted" : "ok";
    const completed: UsageEventInput & { readonly id: string } = {
      ...pending,
      status,
      model: outcome.model ?? pending.model ?? null,
      usage: outcome.usage ?? null,
      usageSource: outcome.usage ? "provider" : "missing",
      serviceTier: outcome.serviceTier ?? pending.serviceTier ?? null,
      ...(status === "error"
        ? { errorType: "ResponseFailedError", errorMessage: String(r.error?.message ?? "failed") }
        : status === "aborted"
          ? { errorType: "AbortError" }
          : {}),
      metadata: { ...pending.metadata, responseStatus: r.status },
    };
    if (plan.sink.revise) plan.sink.revise(completed);
    else plan.sink.record(completed); // no revise: storage keeps the pending row (same id)
  } catch (e) {
    reportSafely(plan.sink, "openai:background-complete", e);
  }
}

/** Responses the process still waits for (tests and diagnostics). */
export function backgroundWaiting(): number {
  return waiting.size;
}

interface Retriever {
  retrieve?: (id: string) => PromiseLike<unknown>;
}

/**
 * Opt-in (`interceptors.openaiBackgroundPoll`): ask the provider for the response with the application's own
 * client until it finishes. The retrieve goes through the patched `retrieve`, which completes the event.
 * Timers are unref'd: polling never keeps the process alive.
 */
function pollIfEnabled(
  resource: unknown,
  responseId: string,
  options: InterceptorOptions,
  sink: UsageSink,
): void {
  const poll = options.openaiBackgroundPoll;
  if (!poll) return;
  const intervalMs = (typeof poll === "object" ? poll.intervalMs : undefined) ?? 5000;
  const deadline = Date.now() + ((typeof poll === "object" ? poll.maxWaitMs : undefined) ?? 3_600_000);
  const r = resource as Retriever | null;
  if (typeof r?.retrieve !== "function") return;
  let failures = 0;
  const tick = (): void => {
    if (!waiting.has(responseId) || Date.now() > deadline) return;
    Promise.resolve(r.retrieve!.call(r, responseId)).then(
      () => ((failures = 0), schedule()),
      // Three failures in a row (a revoked key, a deleted response): stop asking; the event stays pending.
      (e: unknown) => (reportSafely(sink, "openai:background-poll", e), ++failures < 3 && schedule()),
    );
  };
  const schedule = (): void => {
    if (waiting.has(responseId)) setTimeout(tick, intervalMs).unref();
  };
  schedule();
}
