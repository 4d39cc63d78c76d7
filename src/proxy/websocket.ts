import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";

/**
 * A WebSocket upgrade (Codex can ask for one on `/v1/responses`) is refused with `426 Upgrade Required` and an
 * OpenAI error body. The proxy reads usage from HTTP answers only; a client that supports both transports then
 * uses HTTP streaming. Relaying the socket with usage capture is a gap (see the notes).
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
