import type { IncomingMessage, ServerResponse } from "node:http";
import { Agent } from "undici";
import { consoleLogger, SafeLogger } from "../core/logger.js";
import type { ProxyContext } from "./context.js";
import { sendProxyError } from "./error-shape.js";
import { proxyFailover } from "./failover.js";
import type { ProxyOptions } from "./options.js";
import { handleOtlpRequest } from "./otlp/index.js";
import { serveRequest } from "./serve.js";
import { upstreamResolver } from "./upstreams.js";

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

/** Creates the tracking proxy: Anthropic and OpenAI routes passed through byte for byte, usage read from a tee. */
export function createProxy(options: ProxyOptions): TokenLedgerProxy {
  const log = new SafeLogger(options.logger ?? consoleLogger);
  const ctx: ProxyContext = {
    options,
    log,
    upstreamFor: upstreamResolver(options),
    failover: proxyFailover(options.failover),
    // Generous timeouts: a non-streamed long answer may take minutes before its headers; thinking pauses a stream.
    dispatcher: new Agent({ keepAliveTimeout: 30_000, headersTimeout: 600_000, bodyTimeout: 600_000 }),
    maxBody: options.maxRequestBytes ?? 32 * 1024 * 1024,
  };

  const resolve = options.resolveIdentity;
  const otlpDeps = {
    tracker: options.sink,
    ...(options.logger ? { logger: options.logger } : {}),
    // Without a resolver no key can be valid: every export is refused rather than silently let through. The
    // key's identity is recorded on the export's rows, as on proxied calls.
    ...(options.otlpRequireKey
      ? { authorize: async (key: string | undefined) => (key === undefined ? undefined : resolve?.(key)) }
      : {}),
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      // OTLP/HTTP exports (POST /v1/logs|metrics|traces) share the port; anything else is a provider route.
      if (await handleOtlpRequest(req, res, otlpDeps)) return;
      await serveRequest(ctx, req, res);
    } catch (err) {
      log.error(`proxy: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent)
        sendProxyError(res, "openai", 500, "api_error", "tokenledger proxy internal error");
      else res.destroy();
    }
  }

  return {
    handle,
    handles: (url) => url.startsWith("/v1/") || url === "/v1" || url.startsWith("/k/"),
    close: () => ctx.dispatcher.close(),
  };
}
