import type { CallOutcome, LlmCall } from "../_shared/call.js";
import type { UnreadWatch } from "../_shared/unread.js";
import type { UsageSink } from "../_shared/types.js";
import type { BackgroundCall } from "./background.js";
import type { Operation } from "./operations.js";
import type { ClientIdentity } from "./provider.js";
import type { ResponseMeta } from "../_shared/response-meta.js";

/** Everything known about one intercepted call at its start. */
export interface CallPlan {
  readonly op: Operation;
  readonly call: LlmCall;
  readonly sink: UsageSink;
  readonly identity: ClientIdentity;
  /** What the caller asked for; on Azure, the deployment name. */
  readonly requestedModel: string | null;
  readonly azureDeployments: Readonly<Record<string, string>> | undefined;
  readonly streamed: boolean;
  /** Responses `background: true`: recorded as pending, completed when the result is retrieved. */
  readonly background?: BackgroundCall;
  /** A streamed call whose promise was not awaited yet (see unawaited.ts); told when its parse starts. */
  unawaited?: UnreadWatch;
  /** We added `include_usage` (so the usage-only chunk must be hidden). Cleared if the server rejected it. */
  injected: boolean;
}

/** What we saw of the answer, before normalisation. */
export interface Observed {
  readonly model?: unknown;
  readonly usage?: unknown;
  readonly serviceTier?: unknown;
  readonly requestId?: string | null;
  readonly metadata?: Readonly<Record<string, unknown>>;
  readonly usageSource?: CallOutcome["usageSource"];
  /** Response id and finish reasons. */
  readonly meta?: ResponseMeta;
}

export function toOutcome(plan: CallPlan, seen: Observed): CallOutcome {
  const usage = seen.usage !== undefined && seen.usage !== null ? plan.op.normalize(seen.usage) : null;
  return {
    model: pricingModel(plan, typeof seen.model === "string" && seen.model ? seen.model : undefined),
    usage,
    requestId: seen.requestId ?? null,
    serviceTier: typeof seen.serviceTier === "string" ? seen.serviceTier : null,
    ...(seen.usageSource ? { usageSource: seen.usageSource } : {}),
    ...seen.meta,
    ...(seen.metadata ? { metadata: seen.metadata } : {}),
  };
}

/**
 * Azure: the request names a deployment. The user's map wins; otherwise Chat answers with the real model
 * (`gpt-4o-2024-08-06`) while the Responses API echoes the deployment name (then unpriced unless mapped).
 */
function pricingModel(plan: CallPlan, responseModel: string | undefined): string | null {
  if (plan.identity.azure && plan.requestedModel) {
    const mapped = plan.azureDeployments?.[plan.requestedModel];
    if (mapped) return mapped;
  }
  return responseModel ?? plan.requestedModel;
}

/** The request id from the raw response headers (`x-request-id`; Azure also sends `apim-request-id`). */
export function requestIdFromHeaders(response: unknown): string | null {
  const headers = (response as { headers?: { get?: (name: string) => string | null } } | null)?.headers;
  if (!headers || typeof headers.get !== "function") return null;
  return headers.get("x-request-id") ?? headers.get("apim-request-id") ?? null;
}
