type AnyRow = Readonly<Record<string, unknown>>;

/** True when every event of a row (or the totals) has no price: its cost is unknown, not $0. */
export function allUnpriced(row: AnyRow): boolean {
  const events = Number(row.events ?? 0);
  return events > 0 && Number(row.unpricedEvents ?? 0) >= events;
}

/** The row with `costUsd: null` when all its events are unpriced (JSON `null`, CSV empty, table "unpriced"). */
export function withUnknownCost<R extends AnyRow>(row: R): R {
  return allUnpriced(row) ? { ...row, costUsd: null } : row;
}
