import type { Command } from "commander";
import type { CliContext } from "../context.js";
import { parseWhere, type WhereFilters } from "../flags.js";
import type { Runner } from "../program.js";
import { addRangeOptions, resolveRange, toWhere, type RangeOptions } from "../shared-options.js";

interface OtelExportOptions extends RangeOptions {
  readonly endpoint?: string;
  readonly header?: string[];
  readonly serviceName?: string;
  readonly metrics?: boolean;
  readonly where?: WhereFilters;
}

export function registerOtel(program: Command, run: Runner): Command {
  const command = program
    .command("otel")
    .description("OpenTelemetry: send stored events to an OTLP collector as GenAI spans.");
  const exp = command
    .command("export")
    .description(
      "Replay stored events to an OTLP/HTTP endpoint as GenAI CLIENT spans, with their original times.",
    )
    .option(
      "--endpoint <url>",
      "OTLP/HTTP base URL, e.g. http://127.0.0.1:4318 (default: $OTEL_EXPORTER_OTLP_ENDPOINT, then http://localhost:4318)",
    )
    .option("--header <name=value...>", "request header, repeatable (also $OTEL_EXPORTER_OTLP_HEADERS)")
    .option(
      "--service-name <name>",
      "service.name of the exported resource (default: $OTEL_SERVICE_NAME, tokenledger)",
    )
    .option("--metrics", "also send token, duration and cost metrics (stamped with the replay time)");
  addRangeOptions(exp);
  exp.option("-w, --where <key=value>", "only matching events; repeatable (team=eng)", parseWhere);
  exp.addHelpText(
    "after",
    `
Examples:
  $ tokenledger otel export --endpoint http://127.0.0.1:4318 --since 2026-11-01
  $ tokenledger otel export --header "x-honeycomb-team=$KEY" --endpoint https://api.honeycomb.io

Needs the OpenTelemetry SDK 2.x packages (Node 20 compatible):
  npm install @opentelemetry/api @opentelemetry/sdk-trace-base@2 @opentelemetry/sdk-metrics@2 \\
    @opentelemetry/resources@2 @opentelemetry/exporter-trace-otlp-http@0.223 @opentelemetry/exporter-metrics-otlp-http@0.223`,
  );
  exp.action(run((ctx, opts: OtelExportOptions) => otelExport(ctx, opts)));
  return command;
}

async function otelExport(ctx: CliContext, opts: OtelExportOptions): Promise<void> {
  const headers = parseHeaders(opts.header);
  const range = resolveRange(ctx, opts);
  const where = toWhere(opts.where);
  // Loaded only for this command: the OTel SDK never enters other commands or the library's import path.
  const { startOtlpExport, replayEvents } = await import("../../otel/index.js");
  const exporter = startOtlpExport({
    ...(opts.endpoint !== undefined ? { endpoint: opts.endpoint } : {}),
    ...(headers ? { headers } : {}),
    ...(opts.serviceName ? { serviceName: opts.serviceName } : {}),
    // No export-failure warning here: failures are counted in the replay result and become the error below.
    logger: false,
  });
  const storage = await ctx.existingStorage();
  try {
    const r = await replayEvents(
      storage.events({
        ...(range.since ? { since: range.since } : {}),
        ...(range.until ? { until: range.until } : {}),
        ...(where ? { where } : {}),
      }),
      exporter,
      { metrics: opts.metrics === true },
    );
    // A partly failed export is an error (non-zero exit): a script must not take a half-sent replay as done.
    if (r.spansFailed > 0) {
      throw new Error(
        `${r.spansFailed} of ${r.events} span(s) could not be exported to ${opts.endpoint ?? "the OTLP endpoint"}; ` +
          "is the collector running and reachable?",
      );
    }
    ctx.note(`Exported ${r.events} event(s) as spans${opts.metrics ? " and metrics" : ""}.`);
  } finally {
    // shutdown flushes the batch processors; without it the last spans would be lost when the process exits.
    await exporter.shutdown();
  }
}

/** `--header name=value` pairs; the values are secrets (API keys) and are never echoed. */
function parseHeaders(list: readonly string[] | undefined): Record<string, string> | undefined {
  if (!list || list.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf("=");
    // Only the part before any "=" is echoed: the value may be an API key.
    if (eq <= 0) throw new Error(`--header expects name=value (got a header without a name or "=")`);
    out[item.slice(0, eq).trim()] = item.slice(eq + 1);
  }
  return out;
}
