/**
 * Read a count from provider JSON. Absent → 0. A non-number stays NaN and a negative stays negative,
 * so the tracker flags the event `invalid` instead of pricing garbage (see event-builder).
 */
export function count(value: unknown): number {
  if (value === undefined || value === null) return 0;
  return typeof value === "number" ? value : Number.NaN;
}

export function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" ? (value as Record<string, unknown>) : {};
}
