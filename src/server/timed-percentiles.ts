import type { Dimension, LatencyRow, RollupQuery } from "../core/query.js";
import { compareGroups, nearestRank, percentileKey } from "../storage-kit.js";
import { histogramFor, latencyBucket, type TimedMetric } from "../storage-kit.js";
import type { TimedCounts, ValueCount } from "./ports.js";

const DAY_MS = 86_400_000;

export interface TimedQuery {
  readonly since: Date;
  readonly until: Date;
  readonly where: NonNullable<RollupQuery["where"]>;
  readonly groupBy: readonly Dimension[];
}

/** Where the counts came from: the histogram (within 2% below the exact value) or the events (exact). */
export type TimedSource = "histogram" | "events";

const histogramCan = (q: TimedQuery) =>
  histogramFor([...q.groupBy, ...(Object.keys(q.where) as Dimension[])]) !== null;

/**
 * Value counts of `metric` per group over the range. The histogram answers the whole UTC days inside the range;
 * the partial days at its edges (at most two, when the range is not day-aligned) are counted exactly from the
 * events and put into the same buckets. A user filter (member keys) or dimension the histogram lacks reads
 * the events for the whole range, which is exact.
 */
export async function timedCounts(
  tc: TimedCounts,
  metric: TimedMetric,
  q: TimedQuery,
): Promise<{ counts: ValueCount[]; source: TimedSource }> {
  const since = q.since.getTime();
  const until = q.until.getTime();
  const base = { metric, groupBy: q.groupBy, where: q.where };
  const firstDay = Math.ceil(since / DAY_MS) * DAY_MS;
  const lastDay = Math.floor(until / DAY_MS) * DAY_MS;
  if (firstDay >= lastDay || !histogramCan(q) || !(await tc.hasHistogram()))
    return { counts: await tc.events({ ...base, since, until }), source: "events" };
  const bucketed = (xs: ValueCount[]) => xs.map((c) => ({ ...c, value: latencyBucket(c.value) }));
  const parts = [tc.histogram({ ...base, since: firstDay, until: lastDay })];
  if (since < firstDay) parts.push(tc.events({ ...base, since, until: firstDay }).then(bucketed));
  if (lastDay < until) parts.push(tc.events({ ...base, since: lastDay, until }).then(bucketed));
  return { counts: (await Promise.all(parts)).flat(), source: "histogram" };
}

export interface GroupPercentiles {
  readonly dims: readonly (string | null)[];
  readonly count: number;
  readonly ms: Readonly<Record<string, number | null>>;
}

/** Nearest-rank percentiles per group (groups in the storage's order: by value, missing first). */
export function groupPercentiles(
  counts: readonly ValueCount[],
  groupBy: readonly Dimension[],
  ps: readonly number[],
): GroupPercentiles[] {
  const groups = new Map<string, { dims: readonly (string | null)[]; values: Map<number, number> }>();
  for (const c of counts) {
    const key = JSON.stringify(c.dims);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { dims: c.dims, values: new Map() }));
    g.values.set(c.value, (g.values.get(c.value) ?? 0) + c.n);
  }
  const out = [...groups.values()].map((g) => ({ dims: g.dims, ...percentilesOf(g.values, ps) }));
  const record = (dims: readonly (string | null)[]) =>
    Object.fromEntries(groupBy.map((d, i) => [d, dims[i]]));
  return out.sort((a, b) => compareGroups(record(a.dims), record(b.dims), groupBy));
}

function percentilesOf(
  values: ReadonlyMap<number, number>,
  ps: readonly number[],
): { count: number; ms: Record<string, number | null> } {
  const sorted = [...values.entries()].sort((a, b) => a[0] - b[0]);
  const count = sorted.reduce((s, [, n]) => s + n, 0);
  const ms: Record<string, number | null> = {};
  for (const p of ps) {
    const rank = nearestRank(p, count);
    let seen = 0;
    let pick: number | null = null;
    for (const [v, n] of sorted) {
      seen += n;
      if (seen >= rank) {
        pick = v;
        break;
      }
    }
    ms[percentileKey(p)] = count === 0 ? null : pick;
  }
  return { count, ms };
}

/** Merge every group into one (the overall figure). */
export function overall(counts: readonly ValueCount[]): ValueCount[] {
  return counts.map((c) => ({ ...c, dims: [] }));
}

/** A group as the SDK's LatencyRow, with its dimension values by name. */
export function asLatencyRow(g: GroupPercentiles, groupBy: readonly Dimension[]): LatencyRow {
  const row: Record<string, unknown> = { count: g.count, latencyMs: g.ms };
  groupBy.forEach((d, i) => (row[d] = g.dims[i] ?? null));
  return row as LatencyRow;
}
