import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import type { UsageSink } from "../../interceptors/_shared/types.js";
import { startProxyServer, type ProxyServer } from "../../src/proxy/index.js";
import type { ProxyUpstreams } from "../../src/proxy/options.js";

/** One request exactly as the agent sent it to the proxy (credentials are removed when saved as a fixture). */
export interface ProxiedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: Buffer;
  /** What the proxy answered. */
  status: number;
}

export interface RecordingProxy {
  readonly url: string;
  readonly requests: ProxiedRequest[];
  /** Every line the proxy logged (checked for credentials). */
  readonly logs: string[];
  /** WebSocket upgrade requests (the proxy refuses them with 426), as `METHOD url`. */
  readonly upgrades: string[];
  close(): Promise<void>;
}

/**
 * The real proxy (`startProxyServer`, the server `tokenledger proxy` runs) with a recorder in front: each request's
 * body is read whole and handed on as a copy, so the run can be saved as a replay fixture. The proxy reads request
 * bodies whole anyway; answers still stream straight from the proxy to the agent.
 */
export async function startRecordingProxy(
  sink: UsageSink,
  upstreams: ProxyUpstreams,
): Promise<RecordingProxy> {
  const requests: ProxiedRequest[] = [];
  const logs: string[] = [];
  const logger = { warn: (m: string) => logs.push(m), error: (m: string) => logs.push(m) };
  const server: ProxyServer = await startProxyServer({ sink, upstreams, logger }, { port: 0 });
  const upgrades: string[] = [];
  // Alongside the proxy's own upgrade listener (which answers 426).
  server.server.on("upgrade", (req: IncomingMessage) => upgrades.push(`${req.method} ${req.url}`));
  server.server.removeAllListeners("request");
  server.server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const seen: ProxiedRequest = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks),
        status: 0,
      };
      requests.push(seen);
      res.once("finish", () => (seen.status = res.statusCode));
      void server.proxy.handle(replayable(req, seen.body), res);
    });
  });
  return { url: server.url, requests, logs, upgrades, close: () => server.close() };
}

/** The same request with its body replayed from a buffer. */
export function replayable(
  req: Pick<IncomingMessage, "headers" | "rawHeaders" | "url" | "method">,
  body: Buffer,
): IncomingMessage {
  return Object.assign(Readable.from(body.length > 0 ? [body] : []), {
    headers: req.headers,
    rawHeaders: req.rawHeaders,
    url: req.url,
    method: req.method,
    complete: true,
  }) as unknown as IncomingMessage;
}
