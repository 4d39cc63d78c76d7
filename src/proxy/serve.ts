import type { IncomingMessage, ServerResponse } from "node:http";
import type { LlmCall } from "../../interceptors/_shared/call.js";
import type { Attribution } from "../core/attribution.js";
import { mergeAttribution } from "../core/attribution.js";
import { requestAttribution } from "./attribution.js";
import type { ProxyContext } from "./context.js";
import { sendDirect, type Sent } from "./dispatch.js";
import { sendWithFailover } from "./dispatch-failover.js";
import { sendProxyError } from "./error-shape.js";
import { admit } from "./governance.js";
import { openCall } from "./open-call.js";
import { relayAnswer } from "./relay.js";
import {
  parseJsonBody,
  readRequestBody,
  withIncludeUsage,
  withModel,
  type OutgoingBody,
} from "./request-body.js";
import { requestTarget, type RequestTarget } from "./request-target.js";

/** A request after its body, identity and attribution are known, before anything is sent upstream. */
interface Prepared {
  readonly t: RequestTarget;
  readonly attribution: Attribution;
  readonly body: OutgoingBody;
  readonly requestedModel: string | null;
  readonly streamed: boolean;
  readonly call: LlmCall | undefined;
}

/** One provider request through the proxy: route, caller, body, budgets, upstream (with failover), relay. */
export async function serveRequest(
  ctx: ProxyContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const p = await prepare(ctx, req, res);
  if (!p) return;
  const body = await governed(ctx, p, res);
  if (!body) return;
  const abort = new AbortController();
  const onClientClose = (): void => {
    if (!res.writableFinished) abort.abort();
  };
  res.once("close", onClientClose);
  const group = ctx.failover.groupFor(p.t.route.format);
  const sent: Sent = group
    ? await sendWithFailover(ctx, req, p.t, group, body, abort.signal, p.attribution)
    : await sendDirect(ctx, req, p.t, ctx.upstreamFor(p.t.route), body.bytes, abort.signal);
  if (!sent.ok) {
    res.off("close", onClientClose);
    if (p.call && p.body.json && p.t.route.kind === "billed") p.call.fail(sent.error);
    if (!sent.clientGone)
      sendProxyError(res, p.t.route.format, sent.status, "api_error", sent.message, sent.headers);
    return;
  }
  const end = await relayAnswer(res, sent.answer, {
    route: p.t.route,
    call: p.call,
    requestReadable: p.body.json !== undefined,
    streamed: p.streamed,
    abort,
    ...(sent.provider ? { provider: sent.provider } : {}),
    ...(sent.note ? { extraMetadata: { failover: sent.note } } : {}),
  });
  res.off("close", onClientClose);
  sent.settle(end);
}

/** Route, tokenledger key, body and the ledger call; answers 404/401/413 itself (then returns undefined). */
async function prepare(
  ctx: ProxyContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<Prepared | undefined> {
  const t = requestTarget(req);
  const format = t.route.format;
  if (!t.path.startsWith("/v1"))
    return void sendProxyError(
      res,
      format,
      404,
      "not_found_error",
      `tokenledger proxy: no route for ${t.path}`,
    );
  let identity: Attribution | undefined;
  if (t.keyId !== undefined) {
    identity = await ctx.options.resolveIdentity?.(t.keyId);
    if (!identity)
      return void sendProxyError(
        res,
        format,
        401,
        "authentication_error",
        "tokenledger proxy: unknown, revoked or read-only (viewer) tokenledger key",
      );
  }
  const read =
    req.method === "GET" || req.method === "HEAD"
      ? { ok: true as const, body: Buffer.alloc(0) }
      : await readRequestBody(req, ctx.maxBody);
  if (!read.ok) {
    if (read.tooLarge)
      sendProxyError(res, format, 413, "request_too_large", `request body over ${ctx.maxBody} bytes`);
    else res.destroy();
    return undefined;
  }
  const json = parseJsonBody(read.body);
  const attribution = mergeAttribution(ctx.options.defaults, requestAttribution(req.headers, identity));
  const requestedModel = typeof json?.model === "string" ? json.model : null;
  const streamed = json?.stream === true;
  // Opt-in only: asking for the usage chunk changes the stream the client sees.
  const injected =
    ctx.options.injectIncludeUsage && t.route.operation === "chat" && json ? withIncludeUsage(json) : null;
  const body: OutgoingBody = injected
    ? { bytes: injected, json: parseJsonBody(injected) }
    : { bytes: read.body, json };
  const provider = ctx.upstreamFor(t.route).provider;
  const facts = {
    route: t.route,
    path: t.path,
    provider,
    requestedModel,
    streamed,
    injected: injected !== null,
  };
  const call = openCall(ctx.options.sink, req, attribution, facts);
  return { t, attribution, body, requestedModel, streamed, call };
}

/**
 * Budgets before the upstream call: a refusal is answered in the provider's error shape (and recorded); a
 * downgrade rewrites the body's model. Returns the body to send, or undefined when refused.
 */
async function governed(
  ctx: ProxyContext,
  p: Prepared,
  res: ServerResponse,
): Promise<OutgoingBody | undefined> {
  if (!p.call || p.t.route.kind !== "billed" || !p.body.json) return p.body;
  const verdict = await admit(ctx.options.gate, p.t.route.format, {
    provider: ctx.upstreamFor(p.t.route).provider,
    operation: p.t.route.operation,
    model: p.requestedModel,
    body: p.body.json,
    attribution: p.attribution,
  });
  if (!verdict.ok) {
    p.call.fail(verdict.error);
    sendProxyError(res, p.t.route.format, verdict.status, verdict.type, verdict.message, verdict.headers);
    return undefined;
  }
  if (verdict.admission) p.call.admitted(verdict.admission);
  return withModel(p.body, verdict.model);
}
