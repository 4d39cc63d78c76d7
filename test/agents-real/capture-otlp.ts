import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { handleOtlpRequest, type OtlpReceiverDeps } from "../../src/proxy/otlp/index.js";

export interface CapturedExport {
  readonly path: string;
  readonly contentType: string;
  readonly contentEncoding: string | null;
  readonly bodyBase64: string;
}

/**
 * The real receiver (handleOtlpRequest) behind a server that keeps a copy of every export body, so a run's
 * telemetry can be saved as a replay fixture.
 */
export async function startCapturingReceiver(
  deps: OtlpReceiverDeps,
): Promise<{ url: string; exports: CapturedExport[]; close(): Promise<void> }> {
  const exports: CapturedExport[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      exports.push({
        path: req.url ?? "",
        contentType: req.headers["content-type"] ?? "",
        contentEncoding: req.headers["content-encoding"] ?? null,
        bodyBase64: body.toString("base64"),
      });
      // The same request, its body replayed from the copy.
      const copy = Object.assign(Readable.from([body]), {
        headers: req.headers,
        url: req.url,
        method: req.method,
      }) as unknown as IncomingMessage;
      void handleOtlpRequest(copy, res, deps).then((handled) => {
        if (!handled) res.writeHead(404).end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    exports,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
