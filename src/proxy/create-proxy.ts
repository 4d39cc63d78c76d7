import type { IncomingMessage, ServerResponse } from "node:http";
import { Agent, type Dispatcher } from "undici";
import { LlmCall } from "../../interceptors/_shared/call.js";
import type { Attribution } from "../core/attribution.js";
import { mergeAttribution } from "../core/attribution.js";
import { runWithAttribution } from "../core/context.js";
import { consoleLogger, SafeLogger } from "../core/logger.js";
import { requestAttribution } from "./attribution.js";
import { sendProxyError } from "./error-shape.js";
import { admit } from "./governance.js";
import { clientResponseHeaders, headerValue, upstreamRequestHeaders } from "./headers.js";
import type { ProxyOptions } from "./options.js";
import { handleOtlpRequest } from "./otlp/index.js";
import { pump, type PumpEnd } from "./pump.js";
import { recordAnswer } from "./record.js";
import { parseJsonBody, readRequestBody, withIncludeUsage } from "./request-body.js";
import { matchRoute } from "./routes.js";
import { tapFor } from "./tap.js";
import { upstreamResolver } from "./upstreams.js";
import { EMPTY_OUTCOME } from "./tap-types.js";

export interface TokenLedgerProxy {
  /**
   * Serves one request (node:http `request` listener, or a Fastify route after `reply.hijack()`). Resolves
   * when the answer has been sent and the call recorded; never rejects.
   */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Whether `handle` serves this URL (`/v1/...`, `/k/<key>/v1/...`). */
  handles(url: string): boolean;
  /** Closes the upstream connection pool. */
  close(): Promise<void>;
}

const KEY_PREFIX = /^\/k\/([^/]{1,200})(\/v1(?:\/.*)?)$/;

/** Creates the tracking proxy: Anthropic and OpenAI routes passed through byte for byte, usage read from a tee. */
export function createProxy(options: ProxyOptions): TokenLedgerProxy {
  const log = new SafeLogger(options.logger ?? consoleLogger);
  const upstreamFor = upstreamResolver(options);
  // Generous timeouts: a non-streamed long answer may take minutes before its headers; thinking pauses a stream.
  const dispatcher: Dispatcher = new Agent({
    keepAliveTimeout: 30_000,
    headersTimeout: 600_000,
    bodyTimeout: 600_000,
  });
  const maxBody = options.maxRequestBytes ?? 32 * 1024 * 1024;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      // OTLP/HTTP exports (POST /v1/logs|metrics|traces) share the port; anything else is a provider route.
      if (await handleOtlpRequest(req, res, { tracker: options.sink, logger: options.logger })) return;
      await serve(req, res);
    } catch (err) {
      log.error(`proxy: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent)
        sendProxyError(res, "openai", 500, "api_error", "tokenledger proxy internal error");
      else res.destroy();
    }
  }

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    let path = q < 0 ? url : url.slice(0, q);
    const query = q < 0 ? "" : url.slice(q);
    const anthropicClient =
      req.headers["anthropic-version"] !== undefined || req.headers["x-api-key"] !== undefined;
    let keyId = headerValue(req.headers, "x-tokenledger-key");
    const prefixed = KEY_PREFIX.exec(path);
    if (prefixed) {
      keyId = safeDecode(prefixed[1]!);
      path = prefixed[2]!;
    }
    const route = matchRoute(req.method ?? "GET", path, anthropicClient);
    if (!path.startsWith("/v1")) {
      return sendProxyError(
        res,
        route.format,
        404,
        "not_found_error",
        `tokenledger proxy: no route for ${path}`,
      );
    }

    let identity: Attribution | undefined;
    if (keyId !== undefined) {
      identity = await options.resolveIdentity?.(keyId);
      if (!identity)
        return sendProxyError(
          res,
          route.format,
          401,
          "authentication_error",
          "tokenledger proxy: unknown tokenledger key",
        );
    }

    const read =
      req.method === "GET" || req.method === "HEAD"
        ? { ok: true as const, body: Buffer.alloc(0) }
        : await readRequestBody(req, maxBody);
    if (!read.ok) {
      if (read.tooLarge)
        return sendProxyError(
          res,
          route.format,
          413,
          "request_too_large",
          `request body over ${maxBody} bytes`,
        );
      return void res.destroy();
    }
    const parsed = parseJsonBody(read.body);
    const upstream = upstreamFor(route);
    const attribution = mergeAttribution(options.defaults, requestAttribution(req.headers, identity));
    const requestedModel = typeof parsed?.model === "string" ? parsed.model : null;
    const streamed = parsed?.stream === true;
    let body = read.body;
    let injected = false;
    if (options.injectIncludeUsage && route.operation === "chat" && parsed) {
      const rewritten = withIncludeUsage(parsed);
      if (rewritten) {
        body = rewritten;
        injected = true;
      }
    }

    const tracked = route.kind !== "free";
    // Credentials are passed to LlmCall only so a stored error message that echoes them gets them removed.
    const secrets = {
      apiKey: headerValue(req.headers, "x-api-key"),
      // Without the scheme: an upstream that echoes a key echoes the bare token.
      authToken: headerValue(req.headers, "authorization")?.replace(/^\s*(Bearer|Basic)\s+/i, ""),
    };
    const call = tracked
      ? runWithAttribution(
          attribution,
          () =>
            new LlmCall(options.sink, {
              provider: upstream.provider,
              operation: route.operation,
              requestedModel,
              streamed,
              client: secrets,
              metadata: {
                proxy: true,
                ...(route.kind === "unrecognised" ? { path } : {}),
                ...(injected ? { include_usage_injected: true } : {}),
              },
            }),
        )
      : undefined;
    if (call && route.kind === "billed" && parsed) {
      const verdict = await admit(options.gate, {
        provider: upstream.provider,
        operation: route.operation,
        model: requestedModel,
        body: parsed,
        attribution,
      });
      if (!verdict.ok) {
        call.fail(verdict.error);
        return sendProxyError(
          res,
          route.format,
          verdict.status,
          verdict.type,
          verdict.message,
          verdict.headers,
        );
      }
      if (verdict.admission) call.admitted(verdict.admission);
    }

    const abort = new AbortController();
    const onClientClose = (): void => {
      if (!res.writableFinished) abort.abort();
    };
    res.once("close", onClientClose);

    let answer: Dispatcher.ResponseData;
    try {
      answer = await dispatcher.request({
        origin: upstream.origin,
        path: upstream.basePath + path + query,
        method: (req.method ?? "GET") as Dispatcher.HttpMethod,
        headers: upstreamRequestHeaders(req.rawHeaders, req.headers),
        body: body.length > 0 || (req.method !== "GET" && req.method !== "HEAD") ? body : null,
        signal: abort.signal,
      });
    } catch (err) {
      const gone = abort.signal.aborted;
      if (call && parsed && route.kind === "billed")
        call.fail(
          gone
            ? { name: "AbortError", message: "client left" }
            : { name: "UpstreamUnreachable", message: (err as Error).message },
        );
      if (!gone) {
        log.warn(`proxy: upstream ${upstream.origin} unreachable: ${(err as Error).message}`);
        sendProxyError(
          res,
          route.format,
          502,
          "api_error",
          `tokenledger proxy: upstream unreachable (${(err as Error).message})`,
        );
      }
      return;
    }

    const upHeaders = answer.headers;
    res.writeHead(answer.statusCode, clientResponseHeaders(upHeaders));
    // Headers go out with the first body chunk when it is already here (one write instead of two, ~8 % of the
    // proxy's CPU in bench/proxy.ts); otherwise on their own one loop turn later, so an idle upstream's headers
    // still reach the client at once.
    let bodyStarted = false;
    const flushHeaders = setImmediate(() => {
      if (!bodyStarted && !res.destroyed) res.flushHeaders();
    });
    answer.body.on("error", () => {}); // errors are read through pump's result

    const tap = call
      ? tapFor(route.usage, first(upHeaders["content-type"]), first(upHeaders["content-encoding"]), () =>
          call.firstToken(),
        )
      : undefined;
    const end: PumpEnd = await pump(
      answer.body,
      res,
      tap
        ? (c) => {
            bodyStarted = true;
            tap.write(c);
          }
        : () => {
            bodyStarted = true;
          },
    );
    clearImmediate(flushHeaders);
    res.off("close", onClientClose);
    if (end !== "end") {
      abort.abort();
      if (!res.writableFinished) res.destroy();
    }
    if (!call || !tap) return;
    const seen = await tap.finish().catch(() => ({ ...EMPTY_OUTCOME, malformed: true }));
    recordAnswer(call, route, parsed !== undefined, {
      status: answer.statusCode,
      requestId: first(upHeaders["request-id"]) ?? first(upHeaders["x-request-id"]) ?? null,
      streamed,
      end,
      seen,
    });
  }

  return {
    handle,
    handles: (url) => url.startsWith("/v1/") || url === "/v1" || url.startsWith("/k/"),
    close: () => dispatcher.close(),
  };
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** A `%`-escaped path segment; a malformed escape is kept as is (and then matches no key). */
function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
