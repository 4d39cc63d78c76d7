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

/**
 * `--since/--until/--tz`, declared once so every reporting command reads a range the same way. The parsers run
 * while commander parses, so a bad date fails before any config is loaded or ledger opened; turning a date into
 * an instant waits for `resolveRange`, because the zone may come from the config file.
 */
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

// Dimension names come from the attribution-field table (DIMENSIONS), so a new dimension appears in help unedited.
export function addFilterOptions(command: Command): Command {
  return command
    .option("-g, --group-by <dims>", `comma list of ${DIMENSIONS.join(", ")}`, parseGroupBy)
    .option(
      "-w, --where <key=value>",
      "keep only matching events; repeatable (team=eng); one key twice means either",
      parseWhere,
    );
}

// stdout carries exactly one machine format (or the human table), so --json and --csv refuse each other.
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

/**
 * The range as instants in the resolved zone. The config's `defaults.since` is validated here rather than by
 * commander (it never passes through a flag), under a name that points at the config. An inverted range is an
 * error, not an empty report that would read as "nothing was spent".
 */
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

/** Storage reads a single value as equality and a list as "any of" (`--where team=a --where team=b`). */
export function toWhere(filters: WhereFilters | undefined): RollupQuery["where"] {
  if (!filters) return undefined;
  const out: Partial<Record<Dimension, string | string[]>> = {};
  for (const [k, v] of Object.entries(filters) as [Dimension, string[]][])
    out[k] = v.length === 1 ? v[0]! : v;
  return out;
}
