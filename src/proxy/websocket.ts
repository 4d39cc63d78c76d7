import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";

/**
 * A WebSocket upgrade (Codex can ask for one on `/v1/responses`) is refused with `426 Upgrade Required` and an
 * OpenAI error body. 426 specifically: codex-rs (core/src/client.rs, `stream_responses_websocket`) maps a
 * handshake answered `UPGRADE_REQUIRED` to `WebsocketStreamOutcome::FallbackToHttp` and switches the whole
 * session to HTTP streaming at once, where any other status is retried first. The proxy reads usage from HTTP
 * answers only; relaying the socket with usage capture is not built.
 */
export function refuseUpgrade(_req: IncomingMessage, socket: Duplex): void {
  const body = JSON.stringify({
    error: {
      message: "tokenledger proxy: WebSocket transport is not supported; use HTTP streaming",
      type: "invalid_request_error",
      param: null,
      code: "websocket_not_supported",
    },
  });
  socket.on("error", () => {});
  socket.end(
    "HTTP/1.1 426 Upgrade Required\r\n" +
      "Connection: close\r\n" +
      "Content-Type: application/json\r\n" +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n` +
      body,
  );
}
