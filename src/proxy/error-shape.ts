import type { ServerResponse } from "node:http";
import type { WireFormat } from "./routes.js";

export type ProxyErrorType =
  | "rate_limit_error"
  | "permission_error"
  | "authentication_error"
  | "invalid_request_error"
  | "request_too_large"
  | "api_error"
  | "not_found_error";

/**
 * An answer the proxy gives itself (budget block, unknown key, upstream unreachable), in the upstream API's own
 * error JSON so the client's SDK raises its usual error class and its retry logic behaves.
 */
export function sendProxyError(
  res: ServerResponse,
  format: WireFormat,
  status: number,
  type: ProxyErrorType,
  message: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body =
    format === "anthropic"
      ? { type: "error", error: { type, message } }
      : {
          error: { message, type, param: null, code: type === "rate_limit_error" ? "budget_exceeded" : null },
        };
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "x-tokenledger-proxy": "1",
    ...headers,
  });
  res.end(text);
}
