import { Dec } from "../core/money.js";
import type { Dimension } from "../core/query.js";
import type { DailyPoint } from "./daily-series.js";

export interface Driver {
  readonly dimension: Dimension;
  readonly value: string;
  readonly actual: string;
  /** Median of the same value's trailing `windowDays` before the day (0 when it had no spend before). */
  readonly expected: string;
  /** actual − expected. */
  readonly deltaUsd: string;
}

/**
 * What moved on `date`: for every value of every dimension, that day's cost minus its own trailing median; the `n`
 * largest increases. Works on the gap-free daily series the anomaly check already read.
 */
export function topDrivers(
  seriesByDimension: ReadonlyMap<Dimension, ReadonlyMap<string, readonly DailyPoint[]>>,
  date: string,
  options: { windowDays?: number; n?: number } = {},
): Driver[] {
  const windowDays = options.windowDays ?? 28;
  const out: (Driver & { delta: InstanceType<typeof Dec> })[] = [];
  for (const [dimension, series] of seriesByDimension)
    for (const [value, points] of series) {
      const i = points.findIndex((p) => p.date === date);
      if (i < 0) continue;
      const actual = new Dec(points[i]!.costUsd);
      const base = points
        .slice(Math.max(0, i - windowDays), i)
        .map((p) => new Dec(p.costUsd))
        .sort((a, b) => a.cmp(b));
      const mid = Math.floor(base.length / 2);
      const expected =
        base.length === 0
          ? new Dec(0)
          : base.length % 2
            ? base[mid]!
            : base[mid - 1]!.plus(base[mid]!).div(2);
      const delta = actual.minus(expected);
      if (delta.lte(0)) continue;
      out.push({
        dimension,
        value,
        actual: actual.toFixed(),
        expected: expected.toFixed(),
        deltaUsd: delta.toFixed(),
        delta,
      });
    }
  return out
    .sort((a, b) => b.delta.cmp(a.delta))
    .slice(0, options.n ?? 3)
    .map(({ delta: _delta, ...d }) => d);
}
