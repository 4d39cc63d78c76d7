import type { IncomingMessage, ServerResponse } from "node:http";
import type { Attribution } from "../../core/attribution.js";
import type { TokenTracker } from "../../core/tracker.js";
import type { Logger } from "../../core/logger.js";
import { SafeLogger, silentLogger } from "../../core/logger.js";
import { DEFAULT_MAX_BODY_BYTES, readOtlpBody } from "./body.js";
import { decodeExportRequest, formatOf, type OtlpFormat } from "./decode.js";
import { OtlpRequestError, RPC_INTERNAL, RPC_INVALID_ARGUMENT, RPC_UNAUTHENTICATED } from "./errors.js";
import { ingestLogs } from "./ingest.js";
import { sendExportResponse, sendStatus, type ExportOutcome } from "./respond.js";
import type { OtlpSignal } from "./schema.js";

export interface OtlpReceiverDeps {
  /** Where rows go; only `record()` is used (it never throws and does no I/O). */
  readonly tracker: Pick<TokenTracker, "record">;
  readonly logger?: Logger;
  /**
   * When set, an export must carry a tokenledger key this accepts (`x-tokenledger-key`, or
   * `Authorization: Bearer tl_...`); otherwise 401 before the body is read. An accepted key's identity (an
   * `Attribution`, as the proxy resolves keys) is recorded on the export's rows: user, team, project, key id.
   */
  readonly authorize?: (key: string | undefined) => OtlpCaller | Promise<OtlpCaller>;
  /** Largest accepted body, before and after gzip; default 4 MiB. */
  readonly maxBodyBytes?: number;
}

/** Who sent an export: refused (false / undefined), accepted (true), or accepted as this identity. */
export type OtlpCaller = boolean | Attribution | undefined;

const PATHS: Readonly<Record<string, OtlpSignal>> = {
  "/v1/logs": "logs",
  "/v1/metrics": "metrics",
  "/v1/traces": "traces",
};

/** The signal an OTLP/HTTP path names, or null for any other path. */
export function otlpSignalOf(url: string | undefined): OtlpSignal | null {
  const path = (url ?? "").split("?")[0]!;
  return PATHS[path] ?? null;
}

/**
 * Serves OTLP/HTTP exports (`POST /v1/logs`, `/v1/metrics`, `/v1/traces`, JSON or protobuf). Returns false, without
 * touching the request, when the path is none of these, so a router can try its own routes. Claude Code's
 * `api_request` log events become ledger rows; every other log record, metric and span is acknowledged and dropped.
 * A bad body gets a 400 with an OTLP Status; nothing here throws.
 */
export async function handleOtlpRequest(
  req: IncomingMessage,
  res: ServerResponse,
  deps: OtlpReceiverDeps,
): Promise<boolean> {
  const signal = otlpSignalOf(req.url);
  if (!signal) return false;
  const log = new SafeLogger(deps.logger ?? silentLogger);
  const format: OtlpFormat = formatOf(req.headers["content-type"]) ?? "json";
  try {
    if (req.method !== "POST") {
      throw new OtlpRequestError(405, `${req.method ?? "?"} is not allowed on ${req.url}; use POST`);
    }
    const caller = deps.authorize ? await deps.authorize(otlpKey(req)) : true;
    if (!caller) {
      throw new OtlpRequestError(401, "a tokenledger key is required (x-tokenledger-key header)");
    }
    if (!formatOf(req.headers["content-type"])) {
      throw new OtlpRequestError(
        415,
        `unsupported Content-Type "${req.headers["content-type"] ?? ""}" (use application/json or application/x-protobuf)`,
      );
    }
    const body = await readOtlpBody(req, deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
    const request = decodeExportRequest(signal, format, body);
    const outcome: ExportOutcome =
      signal === "logs"
        ? ingestLogs(request, deps.tracker, log, caller === true ? undefined : caller)
        : { rejected: 0 };
    sendExportResponse(res, signal, format, outcome);
  } catch (err) {
    try {
      answerError(req, res, format, err, log);
    } catch {
      res.destroy(); // the socket is already gone; nothing left to answer
    }
  }
  return true;
}

function answerError(
  req: IncomingMessage,
  res: ServerResponse,
  format: OtlpFormat,
  err: unknown,
  log: SafeLogger,
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (err instanceof OtlpRequestError) {
    log.warn(`OTLP receiver: ${err.status} ${err.message}`);
    const headers: Record<string, string> = err.status === 405 ? { allow: "POST" } : {};
    // A refused body may still be arriving: close the connection after the answer instead of reading it all.
    if (err.status === 413 || err.status === 401) {
      headers.connection = "close";
      res.once("finish", () => req.destroy());
    }
    const code = err.status === 401 ? RPC_UNAUTHENTICATED : RPC_INVALID_ARGUMENT;
    sendStatus(res, err.status, format, code, err.message, headers);
    return;
  }
  log.error(`OTLP receiver: internal error: ${(err as Error)?.message ?? String(err)}`);
  sendStatus(res, 500, format, RPC_INTERNAL, "internal error in the OTLP receiver");
}

/** The key an exporter sends: `x-tokenledger-key`, or a Bearer token (OTLP has no provider credential to protect). */
function otlpKey(req: IncomingMessage): string | undefined {
  const h = req.headers["x-tokenledger-key"];
  const direct = Array.isArray(h) ? h[0] : h;
  if (direct) return direct.trim();
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "");
  return bearer?.[1];
}
