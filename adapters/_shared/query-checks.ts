import { TokenLedgerConfigError } from "../../src/core/errors.js";
import {
  DIMENSIONS,
  TIME_BUCKETS,
  type Dimension,
  type LatencyQuery,
  type RollupQuery,
} from "../../src/core/query.js";
import { checkTimeZone } from "./time-zone.js";

const DIMENSION_SET: ReadonlySet<string> = new Set(DIMENSIONS);

/** Validate a query before it reaches SQL; every message names the offending option. */
export function checkQuery(q: RollupQuery | LatencyQuery): void {
  for (const d of q.groupBy ?? []) {
    if (!DIMENSION_SET.has(d))
      throw new TokenLedgerConfigError(
        `groupBy: unknown dimension "${d}" (expected one of ${DIMENSIONS.join(", ")})`,
      );
  }
  for (const d of Object.keys(q.where ?? {})) {
    if (!DIMENSION_SET.has(d))
      throw new TokenLedgerConfigError(
        `where: unknown dimension "${d}" (expected one of ${DIMENSIONS.join(", ")})`,
      );
  }
  for (const [name, v] of [
    ["since", q.since],
    ["until", q.until],
  ] as const) {
    if (v !== undefined && !(v instanceof Date && Number.isFinite(v.getTime()))) {
      throw new TokenLedgerConfigError(`${name}: expected a valid Date`);
    }
  }
  if ("bucket" in q && q.bucket !== undefined && !(TIME_BUCKETS as readonly string[]).includes(q.bucket)) {
    throw new TokenLedgerConfigError(`bucket: "${q.bucket}" is not one of ${TIME_BUCKETS.join(", ")}`);
  }
  if ("timeZone" in q && q.timeZone !== undefined) checkTimeZone(q.timeZone);
  if ("limit" in q && q.limit !== undefined && !(Number.isInteger(q.limit) && q.limit > 0)) {
    throw new TokenLedgerConfigError(`limit: expected a positive integer, got ${String(q.limit)}`);
  }
  if ("percentiles" in q && q.percentiles !== undefined) {
    for (const p of q.percentiles) {
      if (!(typeof p === "number" && p > 0 && p <= 1))
        throw new TokenLedgerConfigError(`percentiles: ${String(p)} is not in (0, 1]`);
    }
  }
}

export function groupDims(q: { groupBy?: readonly Dimension[] }): Dimension[] {
  return [...new Set(q.groupBy ?? [])];
}

/** Key of a latency percentile: 0.5 → p50, 0.999 → p99.9. */
export function percentileKey(p: number): string {
  return `p${Number((p * 100).toFixed(6))}`;
}

/** Nearest rank (1-based) of fraction p among n sorted values: ceil(p·n), as PostgreSQL's percentile_disc. */
export function nearestRank(p: number, n: number): number {
  return Math.max(1, Math.min(n, Math.ceil(p * n)));
}
