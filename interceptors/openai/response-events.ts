import type { Observed } from "./plan.js";
import { openaiResponsesMeta, type ResponseMeta } from "../_shared/response-meta.js";

interface ResponseEvent {
  type?: unknown;
  response?: {
    model?: unknown;
    usage?: unknown;
    service_tier?: unknown;
    status?: unknown;
    error?: unknown;
    incomplete_details?: unknown;
  };
  message?: unknown;
  code?: unknown;
}

export type ResponseEnd = { kind: "completed" | "incomplete" | "none" } | { kind: "failed"; error: Error };

/** Raised into the ledger (never to the caller) when a Responses stream ends with `response.failed` or `error`. */
export class ResponseFailedError extends Error {
  override readonly name = "ResponseFailedError";
}

/**
 * Responses API stream events. Final usage comes with `response.completed`; `response.incomplete` and
 * `response.failed` carry the tokens billed before the stop, so those are recorded too.
 */
export class ResponseEventsState {
  #model: unknown;
  #usage: unknown;
  #serviceTier: unknown;
  #end: ResponseEnd = { kind: "none" };
  #incompleteReason: unknown;
  #meta: ResponseMeta = {};

  /** Returns true for an output delta (time to first token). */
  observe(item: unknown): boolean {
    const event = item as ResponseEvent | null;
    if (!event || typeof event !== "object" || typeof event.type !== "string") return false;
    const response = event.response && typeof event.response === "object" ? event.response : undefined;
    if (response) {
      if (typeof response.model === "string" && response.model) this.#model = response.model;
      if (response.usage !== undefined && response.usage !== null) this.#usage = response.usage;
      if (typeof response.service_tier === "string") this.#serviceTier = response.service_tier;
      this.#meta = { ...this.#meta, ...openaiResponsesMeta(response) };
    }
    switch (event.type) {
      case "response.completed":
        this.#end = { kind: "completed" };
        return false;
      case "response.incomplete":
        this.#end = { kind: "incomplete" };
        this.#incompleteReason = (response?.incomplete_details as { reason?: unknown } | undefined)?.reason;
        return false;
      case "response.failed":
        this.#end = {
          kind: "failed",
          error: new ResponseFailedError(errorText(response?.error) ?? "response.failed"),
        };
        return false;
      case "error":
        if (this.#end.kind === "none")
          this.#end = { kind: "failed", error: new ResponseFailedError(errorText(event) ?? "error event") };
        return false;
      default:
        return event.type.endsWith(".delta");
    }
  }

  get end(): ResponseEnd {
    return this.#end;
  }

  seen(requestId: string | null): Observed {
    const metadata =
      this.#end.kind === "incomplete"
        ? {
            responseStatus: "incomplete",
            ...(typeof this.#incompleteReason === "string"
              ? { incompleteReason: this.#incompleteReason }
              : {}),
          }
        : undefined;
    return {
      model: this.#model,
      usage: this.#usage,
      serviceTier: this.#serviceTier,
      requestId,
      meta: this.#meta,
      // Usage on `response.failed` / `response.incomplete` is the provider's final bill, not a partial count.
      ...(this.#end.kind !== "none" && this.#usage != null ? { usageSource: "provider" as const } : {}),
      ...(metadata ? { metadata } : {}),
    };
  }
}

function errorText(error: unknown): string | undefined {
  const e = error as { message?: unknown; code?: unknown } | null;
  if (!e || typeof e !== "object") return undefined;
  const parts = [e.code, e.message].filter((p) => typeof p === "string" && p);
  return parts.length ? parts.join(": ") : undefined;
}
