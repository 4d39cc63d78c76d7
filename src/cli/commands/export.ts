import { createWriteStream, type WriteStream } from "node:fs";
import { once } from "node:events";
import { Option, type Command } from "commander";
import { ATTRIBUTION_KEYS } from "../../core/attribution.js";
import { USAGE_KEYS } from "../../core/buckets.js";
import type { Dimension, TimeBucket } from "../../core/query.js";
import type { LedgerEvent } from "../../core/event.js";
import type { CliContext } from "../context.js";
import type { WhereFilters } from "../flags.js";
import { csvLine } from "../format/csv.js";
import type { Runner } from "../program.js";
import {
  addFilterOptions,
  addRangeOptions,
  resolveRange,
  toWhere,
  type RangeOptions,
} from "../shared-options.js";
import { MEASURE_KEYS } from "./report.js";
import { eventSource, type EventSource } from "../report/server-events.js";
import { rollupSource, serverFor, SERVER_OPTION_HELP, type RollupSource } from "../report/server-rollup.js";

interface ExportOptions extends RangeOptions {
  readonly format: "csv" | "jsonl";
  readonly what: "events" | "rollup";
  readonly out?: string;
  readonly groupBy?: Dimension[];
  readonly where?: WhereFilters;
  readonly bucket?: TimeBucket;
  readonly server?: string;
}

/** Event columns in CSV order: every LedgerEvent field, usage buckets flattened. */
export const EVENT_COLUMNS = [
  "id",
  "timestamp",
  "provider",
  "model",
  "requestedModel",
  "operation",
  "streamed",
  "status",
  "errorType",
  "httpStatus",
  "errorMessage",
  "latencyMs",
  "timeToFirstTokenMs",
  "requestId",
  "responseId",
  "finishReasons",
  ...USAGE_KEYS,
  "usageSource",
  "serviceTier",
  "batch",
  "costUsd",
  "unpriced",
  "pricingKey",
  ...ATTRIBUTION_KEYS,
  "metadata",
  "sampleWeight",
] as const;

/** One event as an export row (also the JSON Lines object). */
export function eventRecord(e: LedgerEvent): Record<string, unknown> {
  const { usage, timestamp, ...rest } = e;
  return { ...rest, timestamp: timestamp.toISOString(), ...usage };
}

export function registerExport(program: Command, run: Runner): Command {
  const command = program
    .command("export")
    .description("Stream events or a rollup as CSV or JSON Lines, to stdout or a file.")
    .addOption(new Option("-f, --format <format>", "csv or jsonl").choices(["csv", "jsonl"]).default("csv"))
    .addOption(
      new Option("--what <what>", "events (one line per call) or rollup (grouped totals)")
        .choices(["events", "rollup"])
        .default("events"),
    )
    .option("-o, --out <file>", "write to this file instead of stdout")
    .option("--server <url>", SERVER_OPTION_HELP);
  addRangeOptions(command);
  addFilterOptions(command);
  command.addOption(
    new Option("--bucket <bucket>", "rollup only: add a period column").choices([
      "hour",
      "day",
      "week",
      "month",
    ]),
  );
  command.addHelpText(
    "after",
    `
Examples:
  $ tokenledger export --since 2026-11-01 > events.csv
  $ tokenledger export --format jsonl --where team=eng --out eng.jsonl
  $ tokenledger export --what rollup --group-by team,model --bucket month --format csv
  $ TOKENLEDGER_API_KEY=tl_... tokenledger export --server https://ledger.example.com --since 2026-11-01

Events are read page by page from the ledger, so exports of any size run in constant memory.`,
  );
  command.action(run((ctx, opts: ExportOptions) => exportData(ctx, opts)));
  return command;
}

async function exportData(ctx: CliContext, opts: ExportOptions): Promise<void> {
  const range = resolveRange(ctx, opts);
  const where = toWhere(opts.where);
  // Resolved before --out is opened, so a bad --server or missing ledger leaves no empty file behind.
  const storage: ExportStorage = serverFor(ctx, opts.server)
    ? {
        ...(await eventSource(ctx, opts.server)),
        ...(await rollupSource(ctx, opts.server)),
      }
    : await ctx.existingStorage();
  const file = opts.out ? await openOut(opts.out) : undefined;
  const write = async (text: string) => {
    if (!file) return ctx.out(text);
    // Respect backpressure: a multi-GB export must not buffer in memory ahead of the disk.
    if (!file.write(text)) await once(file, "drain");
  };
  const scope = { range, where, storage, write };
  let count = 0;
  try {
    count = opts.what === "events" ? await exportEvents(opts, scope) : await exportRollup(opts, scope);
  } finally {
    if (file) {
      file.end();
      await once(file, "finish");
    }
  }
  if (file) ctx.note(`Wrote ${count} ${opts.what === "events" ? "event" : "row"}(s) to ${opts.out}`);
}

/** Open `--out` before reading anything, so a bad path fails at once with the option named. */
async function openOut(path: string): Promise<WriteStream> {
  const file = createWriteStream(path);
  await Promise.race([
    once(file, "open"),
    once(file, "error").then(([e]) => Promise.reject(new Error(`--out ${path}: ${(e as Error).message}`))),
  ]);
  return file;
}

/** What export reads: a local ledger, or a server's usage and aggregate endpoints. */
type ExportStorage = EventSource & RollupSource;

interface ExportScope {
  readonly range: ReturnType<typeof resolveRange>;
  readonly where: ReturnType<typeof toWhere>;
  readonly storage: ExportStorage;
  readonly write: (text: string) => Promise<void>;
}

/** One line per event, streamed page by page from storage (constant memory). */
async function exportEvents(
  opts: ExportOptions,
  { range, where, storage, write }: ExportScope,
): Promise<number> {
  if (opts.groupBy || opts.bucket)
    throw new Error("--group-by and --bucket apply to --what rollup, not to events");
  const events = storage.events({
    ...(range.since ? { since: range.since } : {}),
    ...(range.until ? { until: range.until } : {}),
    ...(where ? { where } : {}),
  });
  if (opts.format === "csv") await write(csvLine(EVENT_COLUMNS));
  let count = 0;
  for await (const event of events) {
    const row = eventRecord(event);
    await write(
      opts.format === "csv" ? csvLine(EVENT_COLUMNS.map((c) => row[c])) : `${JSON.stringify(row)}\n`,
    );
    count += 1;
  }
  return count;
}

/** One line per rollup row, with the same keys (null where absent) in CSV and JSON lines. */
async function exportRollup(
  opts: ExportOptions,
  { range, where, storage, write }: ExportScope,
): Promise<number> {
  const groupBy = opts.groupBy ?? [];
  const result = await storage.rollup({
    ...(range.since ? { since: range.since } : {}),
    ...(range.until ? { until: range.until } : {}),
    groupBy,
    ...(opts.bucket ? { bucket: opts.bucket, timeZone: range.timeZone } : {}),
    ...(where ? { where } : {}),
  });
  const columns = [...(opts.bucket ? ["period"] : []), ...groupBy, ...MEASURE_KEYS];
  if (opts.format === "csv") await write(csvLine(columns));
  for (const r of result.rows) {
    const row = r as unknown as Record<string, unknown>;
    await write(
      opts.format === "csv"
        ? csvLine(columns.map((c) => row[c]))
        : `${JSON.stringify(Object.fromEntries(columns.map((c) => [c, row[c] ?? null])))}\n`,
    );
  }
  return result.rows.length;
}
