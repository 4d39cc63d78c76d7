import { Option, type Command } from "commander";
import { DIMENSIONS, type Dimension, type RollupQuery } from "../core/query.js";
import type { CliContext } from "./context.js";
import {
  parseDateFlag,
  parseGroupBy,
  parseTimeZone,
  parseWhere,
  resolveDateFlag,
  type WhereFilters,
} from "./flags.js";

export interface RangeOptions {
  readonly since?: string;
  readonly until?: string;
  readonly tz?: string;
}

export interface OutputOptions {
  readonly json?: boolean;
  readonly csv?: boolean;
}

export function addRangeOptions(command: Command): Command {
  return command
    .option(
      "-s, --since <date>",
      "from this date (YYYY-MM-DD) or ISO time, inclusive, in --tz",
      parseDateFlag("--since"),
    )
    .option(
      "-u, --until <date>",
      "through this date (inclusive) or up to this ISO time (exclusive), in --tz",
      parseDateFlag("--until"),
    )
    .option(
      "--tz <zone>",
      "IANA time zone for dates and periods (default: config timezone, else the machine's)",
      parseTimeZone,
    );
}

export function addFilterOptions(command: Command): Command {
  return command
    .option("-g, --group-by <dims>", `comma list of ${DIMENSIONS.join(", ")}`, parseGroupBy)
    .option(
      "-w, --where <key=value>",
      "keep only matching events; repeatable (team=eng); one key twice means either",
      parseWhere,
    );
}

export function addOutputOptions(command: Command): Command {
  return command
    .addOption(new Option("--json", "JSON on stdout: { rows, totals } (see OUTPUT.md)").conflicts("csv"))
    .addOption(new Option("--csv", "CSV on stdout, one line per row").conflicts("json"));
}

export interface ResolvedRange {
  readonly timeZone: string;
  readonly since?: Date;
  readonly until?: Date;
}

export function resolveRange(ctx: CliContext, opts: RangeOptions): ResolvedRange {
  const timeZone = ctx.timeZone(opts.tz);
  const sinceRaw = opts.since ?? ctx.config.defaults?.since;
  const since = sinceRaw
    ? resolveDateFlag(parseDateFlag("since (config defaults)")(sinceRaw), timeZone, false)
    : undefined;
  const until = opts.until ? resolveDateFlag(opts.until, timeZone, true) : undefined;
  if (since && until && since >= until)
    throw new Error(`--since ${opts.since ?? sinceRaw} is not before --until ${opts.until}`);
  return { timeZone, ...(since ? { since } : {}), ...(until ? { until } : {}) };
}

export function toWhere(filters: WhereFilters | undefined): RollupQuery["where"] {
  if (!filters) return undefined;
  const out: Partial<Record<Dimension, string | string[]>> = {};
  for (const [k, v] of Object.entries(filters) as [Dimension, string[]][])
    out[k] = v.length === 1 ? v[0]! : v;
  return out;
}
