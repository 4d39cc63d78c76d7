import type { CliOtelExport } from "../../otel/cli-export.js";
import { OTLP_ENDPOINT_ENV } from "../../otel/semconv.js";
import type { CliContext } from "../context.js";

/** `--otel-endpoint`, shared by `proxy` and `serve`: `.option(...OTEL_ENDPOINT_OPTION)`. */
export const OTEL_ENDPOINT_OPTION = [
  "--otel-endpoint <url>",
  "export each recorded call as an OpenTelemetry GenAI span and metrics over OTLP/HTTP, e.g. " +
    "http://127.0.0.1:4318 (also on with $OTEL_EXPORTER_OTLP_ENDPOINT; headers from $OTEL_EXPORTER_OTLP_HEADERS)",
] as const;

/**
 * OTLP export for a long-running command, or undefined when neither the flag nor an endpoint variable asks for
 * it. The OTel packages are loaded only then, so other runs pay nothing for them.
 */
export async function startCommandOtel(
  ctx: CliContext,
  endpoint: string | undefined,
): Promise<CliOtelExport | undefined> {
  if (endpoint === undefined && !OTLP_ENDPOINT_ENV.some((v) => process.env[v])) return undefined;
  const { startCliOtelExport } = await import("../../otel/cli-export.js");
  const otel = startCliOtelExport({
    ...(endpoint !== undefined ? { endpoint } : {}),
    warn: (m) => ctx.note(m),
  });
  if (otel)
    ctx.note(
      `OpenTelemetry: exporting spans and metrics to ${endpoint ?? "the OTLP endpoint from the environment"}`,
    );
  return otel;
}
