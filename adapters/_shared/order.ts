import type { Decimal } from "decimal.js";
import { Dec } from "./decimal.js";
import type { Dimension, RollupQuery, RollupRow } from "../../src/core/query.js";

/**
 * Order and cut rollup rows in JS (memory backend; and the reference the SQL ordering follows):
 * bucketed queries by period ascending then cost descending, grouped ones by the chosen measure descending,
 * ties broken by the group values so results are deterministic.
 */
export function orderRows(rows: RollupRow[], q: RollupQuery, dims: readonly Dimension[]): RollupRow[] {
  const by = q.orderBy ?? (q.bucket ? "period" : "cost");
  const measure = (r: RollupRow): Decimal | number =>
    by === "requests" ? r.requests : by === "tokens" ? r.totalTokens : new Dec(r.costUsd);
  const cmpMeasure = (a: RollupRow, b: RollupRow): number => {
    const x = measure(a);
    const y = measure(b);
    return typeof x === "number" ? (y as number) - x : (y as Decimal).comparedTo(x);
  };
  const cmpPeriod = (a: RollupRow, b: RollupRow): number => cmpStr(a.period ?? "", b.period ?? "");
  const cmpDims = (a: RollupRow, b: RollupRow): number => {
    for (const d of dims) {
      const c = cmpStr(a[d] ?? "", b[d] ?? "");
      if (c !== 0) return c;
    }
    return 0;
  };
  const sorted = rows.sort((a, b) =>
    by === "period"
      ? cmpPeriod(a, b) || cmpByCost(a, b) || cmpDims(a, b)
      : cmpMeasure(a, b) || cmpPeriod(a, b) || cmpDims(a, b),
  );
  return q.limit !== undefined ? sorted.slice(0, q.limit) : sorted;
}

function cmpByCost(a: RollupRow, b: RollupRow): number {
  return new Dec(b.costUsd).comparedTo(a.costUsd);
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Latency groups in the order of their values, missing ('') first: the same order every backend returns. */
export function compareGroups(
  a: Readonly<Partial<Record<Dimension, string | null>>>,
  b: Readonly<Partial<Record<Dimension, string | null>>>,
  dims: readonly Dimension[],
): number {
  for (const d of dims) {
    const x = a[d] ?? "";
    const y = b[d] ?? "";
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
