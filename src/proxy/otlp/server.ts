import { createServer, type Server } from "node:http";
import { handleOtlpRequest, type OtlpReceiverDeps } from "./handler.js";

/**
 * A stand-alone HTTP server that is only the OTLP receiver (tests, and embedding without the proxy). Other paths
 * get a 404. The caller listens; bind it to 127.0.0.1 unless it must be reached from elsewhere.
 */
export function createOtlpServer(deps: OtlpReceiverDeps): Server {
  return createServer((req, res) => {
    void handleOtlpRequest(req, res, deps)
      .catch(() => {
        res.destroy(); // not expected: the handler answers its own errors
        return true;
      })
      .then((handled) => {
        if (handled) return;
        const body = JSON.stringify({ code: 5, message: `no OTLP route at ${req.url ?? ""}` });
        res.writeHead(404, {
          "content-type": "application/json",
          "content-length": String(Buffer.byteLength(body)),
        });
        res.end(body);
      });
  });
}
