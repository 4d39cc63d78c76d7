import { ATTRIBUTION_DIMENSION_FIELDS } from "../../src/core/attribution-fields.js";
import { DIMENSION_SOURCE, type Dimension } from "../../src/core/query.js";

/** Events-table column behind each rollup dimension (derived from the attribution-field table). */
export const EVENT_COLUMN: Readonly<Record<Dimension, string>> = Object.fromEntries(
  Object.entries(DIMENSION_SOURCE).map(([d, s]) => [d, s.column]),
) as Record<Dimension, string>;

type RollupField = Extract<(typeof ATTRIBUTION_DIMENSION_FIELDS)[number], { rollup: true }>;
export type RollupDimension = "provider" | "model" | RollupField["dimension"];

/**
 * Dimensions rollup projections can keep (missing values stored as ''); see adapters/_kysely/projections.ts.
 * A field with `rollup: true` needs its projection columns added by a migration in each SQL adapter.
 */
export const ROLLUP_DIMENSIONS: readonly RollupDimension[] = [
  "provider",
  "model",
  ...ATTRIBUTION_DIMENSION_FIELDS.filter((f): f is RollupField => f.rollup).map((f) => f.dimension),
];

const ROLLUP_SET: ReadonlySet<Dimension> = new Set(ROLLUP_DIMENSIONS);

export function inRollup(d: Dimension): boolean {
  return ROLLUP_SET.has(d);
}

/** A `where` value as a list; `null` stands for a missing value. */
export function whereValues(v: string | null | readonly (string | null)[]): (string | null)[] {
  return Array.isArray(v) ? [...(v as readonly (string | null)[])] : [v as string | null];
}
