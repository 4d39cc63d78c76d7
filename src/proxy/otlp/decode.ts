import { OtlpRequestError } from "./errors.js";
import { REQUEST_TYPES, TO_OBJECT, type OtlpSignal } from "./schema.js";

export type OtlpFormat = "json" | "protobuf";

const TOP_LEVEL: Readonly<Record<OtlpSignal, string>> = {
  logs: "resourceLogs",
  metrics: "resourceMetrics",
  traces: "resourceSpans",
};

/** The body's encoding from its Content-Type (OTLP/HTTP allows exactly these two). */
export function formatOf(contentType: string | undefined): OtlpFormat | null {
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === "application/json") return "json";
  if (type === "application/x-protobuf") return "protobuf";
  return null;
}

/**
 * Decodes an export request into a plain object with the OTLP/JSON field names. Logs are decoded in full (the
 * JSON form through the same schema, so both encodings give the same shape); metrics and traces only have their
 * top level checked. Anything malformed is a 400 naming the signal and the reason.
 */
export function decodeExportRequest(
  signal: OtlpSignal,
  format: OtlpFormat,
  body: Buffer,
): Record<string, unknown> {
  const type = REQUEST_TYPES[signal];
  try {
    if (format === "protobuf") {
      return type.toObject(type.decode(body), TO_OBJECT);
    }
    const parsed: unknown = JSON.parse(body.toString("utf8"));
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      throw new Error("the body must be a JSON object");
    }
    const list = (parsed as Record<string, unknown>)[TOP_LEVEL[signal]];
    if (list !== undefined && !Array.isArray(list)) throw new Error(`${TOP_LEVEL[signal]} must be an array`);
    if (signal !== "logs") return parsed as Record<string, unknown>;
    return type.toObject(type.fromObject(parsed), TO_OBJECT);
  } catch (err) {
    throw new OtlpRequestError(
      400,
      `invalid OTLP ${signal} request (${format === "json" ? "JSON" : "protobuf"}): ${(err as Error).message}`,
    );
  }
}
