import type { ServerResponse } from "node:http";
import type protobuf from "protobufjs/light.js";
import type { OtlpFormat } from "./decode.js";
import { REJECTED_FIELD, RESPONSE_TYPES, STATUS_TYPE, type OtlpSignal } from "./schema.js";

/** What an export answered: how many items it could not take, and why. */
export interface ExportOutcome {
  readonly rejected: number;
  readonly errorMessage?: string;
}

/**
 * 200 with the signal's Export*ServiceResponse, in the request's encoding. `partialSuccess` is always present
 * (empty when everything was taken, which OTLP clients read as full success).
 */
export function sendExportResponse(
  res: ServerResponse,
  signal: OtlpSignal,
  format: OtlpFormat,
  outcome: ExportOutcome,
): void {
  const partialSuccess: Record<string, unknown> = {};
  if (outcome.rejected > 0) partialSuccess[REJECTED_FIELD[signal]] = String(outcome.rejected);
  if (outcome.errorMessage) partialSuccess.errorMessage = outcome.errorMessage;
  send(res, 200, format, RESPONSE_TYPES[signal], { partialSuccess });
}

/** An OTLP/HTTP error: the status code and a google.rpc.Status body, in the request's encoding when it is known. */
export function sendStatus(
  res: ServerResponse,
  httpStatus: number,
  format: OtlpFormat,
  code: number,
  message: string,
  extraHeaders: Readonly<Record<string, string>> = {},
): void {
  send(res, httpStatus, format, STATUS_TYPE, { code, message }, extraHeaders);
}

function send(
  res: ServerResponse,
  status: number,
  format: OtlpFormat,
  type: protobuf.Type,
  body: Record<string, unknown>,
  extraHeaders: Readonly<Record<string, string>> = {},
): void {
  const payload =
    format === "json"
      ? Buffer.from(JSON.stringify(body))
      : Buffer.from(type.encode(type.fromObject(body)).finish());
  res.writeHead(status, {
    "content-type": format === "json" ? "application/json" : "application/x-protobuf",
    "content-length": String(payload.length),
    ...extraHeaders,
  });
  res.end(payload);
}
