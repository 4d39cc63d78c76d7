import type { IncomingMessage } from "node:http";
import type { Dispatcher } from "undici";
import type { ProxyContext } from "./context.js";
import { upstreamRequestHeaders } from "./headers.js";
import type { ResolvedUpstream } from "./options.js";
import type { PumpEnd } from "./pump.js";
import type { RequestTarget } from "./request-target.js";

/** An upstream answered (headers in); `settle` tells failover how the body ended. */
export interface Answered {
  readonly ok: true;
  readonly answer: Dispatcher.ResponseData;
  /** Recorded provider when failover picked a target; else the route's own. */
  readonly provider?: string;
  /** `metadata.failover` for the event (group, requested and effective target, attempt, reason). */
  readonly note?: Readonly<Record<string, unknown>>;
  settle(end: PumpEnd): void;
}

/** No answer to relay: the client left, nothing was reachable, or every failover target is cooling down. */
export interface NotAnswered {
  readonly ok: false;
  readonly clientGone: boolean;
  readonly status: number;
  readonly message: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly error: { readonly name: string; readonly message: string };
}

export type Sent = Answered | NotAnswered;

/** One request to one upstream; resolves when its headers are in. */
export function sendTo(
  ctx: ProxyContext,
  req: IncomingMessage,
  t: RequestTarget,
  upstream: ResolvedUpstream,
  body: Buffer,
  signal: AbortSignal,
): Promise<Dispatcher.ResponseData> {
  return ctx.dispatcher.request({
    origin: upstream.origin,
    path: upstream.basePath + t.path + t.query,
    method: (req.method ?? "GET") as Dispatcher.HttpMethod,
    headers: upstreamRequestHeaders(req.rawHeaders, req.headers),
    body: body.length > 0 || (req.method !== "GET" && req.method !== "HEAD") ? body : null,
    signal,
  });
}

/** The single upstream of a route without failover: an unreachable one becomes 502 (or nothing, if the client left). */
export async function sendDirect(
  ctx: ProxyContext,
  req: IncomingMessage,
  t: RequestTarget,
  upstream: ResolvedUpstream,
  body: Buffer,
  signal: AbortSignal,
): Promise<Sent> {
  try {
    const answer = await sendTo(ctx, req, t, upstream, body, signal);
    return { ok: true, answer, settle: () => {} };
  } catch (err) {
    return unreachable(ctx, upstream.origin, err, signal.aborted);
  }
}

export function unreachable(
  ctx: ProxyContext,
  origin: string,
  err: unknown,
  clientGone: boolean,
): NotAnswered {
  const message = err instanceof Error ? err.message : String(err);
  if (!clientGone) ctx.log.warn(`proxy: upstream ${origin} unreachable: ${message}`);
  return {
    ok: false,
    clientGone,
    status: 502,
    message: `tokenledger proxy: upstream unreachable (${message})`,
    headers: {},
    error: clientGone
      ? { name: "AbortError", message: "client left" }
      : { name: "UpstreamUnreachable", message },
  };
}
