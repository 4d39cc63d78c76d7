import type { CallOutcome, LlmCall } from "../../interceptors/_shared/call.js";
import type { Route } from "./routes.js";
import { normalizeUsage } from "./routes.js";
import type { PumpEnd } from "./pump.js";
import type { TapOutcome } from "./tap-types.js";
import { providerRequestEventId } from "../core/live-calls.js";

export interface Answer {
  readonly status: number;
  readonly requestId: string | null;
  readonly streamed: boolean;
  readonly end: PumpEnd;
  readonly seen: TapOutcome;
  /** The failover target that answered, when it is not the route's own upstream. */
  readonly provider?: string;
  /** Added to the event's metadata (the failover note). */
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** Error-shaped values for `LlmCall.fail` (it reads `name`, `status` and `message`). */
function failure(
  name: string,
  message: string,
  status?: number,
): { name: string; message: string; status?: number } {
  return status === undefined ? { name, message } : { name, message, status };
}

/**
 * Records one proxied call exactly once, from what the tap saw. A billed route with a readable request is
 * always recorded (errors too); anything else only when its answer carried usage, so a malformed request or an
 * unknown path never becomes a row with model `unknown` and zero tokens.
 */
export function recordAnswer(call: LlmCall, route: Route, requestReadable: boolean, a: Answer): void {
  const usage =
    a.seen.usage !== null && a.seen.usage !== undefined ? normalizeUsage(route.usage, a.seen.usage) : null;
  if (!(route.kind === "billed" && requestReadable) && usage === null) return;
  const metadata: Record<string, unknown> = { ...a.seen.metadata, ...a.metadata };
  const outcome: CallOutcome = {
    // Same id rule as the OTLP receiver: a Claude Code call seen by both lands once.
    ...(route.format === "anthropic" && a.requestId
      ? { id: providerRequestEventId("anthropic", a.requestId) }
      : {}),
    model: a.seen.model,
    ...(a.provider ? { provider: a.provider } : {}),
    usage,
    requestId: a.requestId,
    responseId: a.seen.responseId ?? null,
    finishReasons: a.seen.finishReasons ?? null,
    serviceTier: a.seen.serviceTier,
    metadata,
  };
  if (a.end === "client-gone")
    return call.fail(failure("AbortError", "the client disconnected before the answer ended"), outcome);
  if (a.end === "upstream-error")
    return call.fail(failure("AbortError", "the upstream connection was cut mid-answer"), outcome);
  if (a.status >= 400)
    return call.fail(
      failure("UpstreamHttpError", a.seen.failure ?? `upstream answered HTTP ${a.status}`, a.status),
      outcome,
    );
  if (a.seen.malformed)
    return call.fail(
      failure("MalformedResponse", "the upstream's answer was not valid JSON / SSE", a.status),
      {
        ...outcome,
        usageSource: usage ? "partial" : "missing",
      },
    );
  if (a.seen.failure)
    return call.fail(failure("UpstreamStreamError", a.seen.failure, a.status), {
      ...outcome,
      usageSource: usage ? "provider" : "missing",
    });
  if (a.streamed && !a.seen.complete)
    return call.fail(
      failure("IncompleteStream", "the stream ended without its terminal event", a.status),
      outcome,
    );
  if (usage === null && route.usage === "openai-chat" && a.streamed) metadata.usage_missing = true;
  call.succeed(outcome);
}
