import type { IncomingMessage } from "node:http";
import type { Dispatcher } from "undici";
import type { Attribution } from "../core/attribution.js";
import { classify } from "../failover/classify.js";
import { AllTargetsUnavailableError } from "../failover/errors.js";
import type { FailedAttempt, FailoverGroup, LiveTarget } from "../failover/group.js";
import type { FailoverNote } from "../failover/types.js";
import type { ProxyContext } from "./context.js";
import { sendTo, unreachable, type Sent } from "./dispatch.js";
import type { UpstreamClient } from "./failover.js";
import type { PumpEnd } from "./pump.js";
import { withModel, type OutgoingBody } from "./request-body.js";
import type { RequestTarget } from "./request-target.js";

/** A failover-class answer (429, 5xx, 529...): thrown so the group moves on; its body is kept for the last one. */
class FailoverStatus extends Error {
  override name = "UpstreamHttpError";
  constructor(readonly answer: Dispatcher.ResponseData) {
    super(`upstream answered HTTP ${answer.statusCode}`);
  }
  get status(): number {
    return this.answer.statusCode;
  }
  get headers(): Dispatcher.ResponseData["headers"] {
    return this.answer.headers;
  }
}

/**
 * Sends through the route's failover group before the first byte: open targets are skipped, a connection
 * error, first-byte timeout or failover-class status moves to the next target. Once headers are relayed the
 * call is committed (a cut stream only counts against the target's breaker). The last target's own error
 * answer is relayed as is; when no target may be tried, 503 with `Retry-After`.
 */
export async function sendWithFailover(
  ctx: ProxyContext,
  req: IncomingMessage,
  t: RequestTarget,
  group: FailoverGroup,
  body: OutgoingBody,
  signal: AbortSignal,
  attribution: Attribution,
): Promise<Sent> {
  let answered: { note: FailoverNote; target: LiveTarget } | undefined;
  const attempt = async (a: { target: LiveTarget; signal: AbortSignal; firstByte(): void }) => {
    const upstream = (a.target.spec.client as UpstreamClient).upstream;
    const bytes = withModel(body, a.target.spec.model).bytes;
    const answer = await sendTo(ctx, req, t, upstream, bytes, a.signal);
    const seen = { status: answer.statusCode, headers: answer.headers };
    const verdict = classify(seen, group.policy.failoverOnStatuses, false, false, Date.now());
    if (verdict.kind === "failover") throw new FailoverStatus(answer);
    a.firstByte();
    return { value: answer, settled: answer.statusCode >= 400 };
  };
  const hooks = {
    failedOver: (f: FailedAttempt) => recordFailedAttempt(ctx, t, f, attribution),
    answered: (note: FailoverNote, target: LiveTarget) => (answered = { note, target }),
  };
  try {
    const answer = await group.run(attempt, signal, hooks);
    return committed(group, answer, answered);
  } catch (err) {
    if (err instanceof FailoverStatus) return committed(group, err.answer, answered, true);
    if (err instanceof AllTargetsUnavailableError) return allOpen(err);
    return unreachable(ctx, `of failover group "${group.name}"`, err, signal.aborted);
  }
}

function committed(
  group: FailoverGroup,
  answer: Dispatcher.ResponseData,
  by: { note: FailoverNote; target: LiveTarget } | undefined,
  alreadyCounted = false,
): Sent {
  return {
    ok: true,
    answer,
    ...(by ? { provider: by.target.spec.provider, note: { ...by.note } } : {}),
    settle: (end: PumpEnd) => {
      if (!by || alreadyCounted || answer.statusCode >= 400) return;
      group.settle(by.target, end === "end" ? "complete" : end === "upstream-error" ? "cut" : "cancelled");
    },
  };
}

function allOpen(err: AllTargetsUnavailableError): Sent {
  return {
    ok: false,
    clientGone: false,
    status: 503,
    message: `tokenledger: ${err.message}`,
    headers: { "retry-after": String(Math.max(1, Math.ceil(err.retryAfterMs / 1000))) },
    error: { name: err.name, message: err.message },
  };
}

/** Each attempt that did not answer is its own unbilled event (as tokenledger/failover records them). */
function recordFailedAttempt(
  ctx: ProxyContext,
  t: RequestTarget,
  f: FailedAttempt,
  attribution: Attribution,
): void {
  if (f.error instanceof FailoverStatus) f.error.answer.body.dump().catch(() => {});
  if (t.route.kind === "free") return;
  const status = f.error instanceof FailoverStatus ? f.error.status : null;
  try {
    ctx.options.sink.record({
      provider: f.target.spec.provider,
      requestedModel: f.target.spec.model ?? null,
      operation: t.route.operation,
      streamed: false,
      status: "error",
      errorType: status === null ? "UpstreamUnreachable" : "UpstreamHttpError",
      httpStatus: status,
      errorMessage: f.error instanceof Error ? f.error.message : String(f.error),
      latencyMs: f.latencyMs,
      usage: null,
      usageSource: "missing",
      attribution,
      metadata: {
        proxy: true,
        failover: {
          ...f.note,
          ...(f.verdict.kind === "failover" ? { failedBecause: f.verdict.reason } : {}),
        },
      },
    });
  } catch {
    /* recording never reaches the client */
  }
}
