import type { Dimension } from "../../src/core/query.js";

/** Events-table column behind each rollup dimension. */
export const EVENT_COLUMN: Readonly<Record<Dimension, string>> = {
  provider: "provider",
  model: "model",
  user: "user_id",
  team: "team_id",
  project: "project_id",
  feature: "feature",
  cost_center: "cost_center",
  environment: "environment",
  app: "app",
  session: "session_id",
  operation: "operation",
  status: "status",
};

/** Dimensions rollup projections can keep (missing values stored as ''); see adapters/_kysely/projections.ts. */
export const ROLLUP_DIMENSIONS = [
  "provider",
  "model",
  "user",
  "team",
  "project",
  "feature",
  "cost_center",
  "environment",
  "app",
] as const satisfies readonly Dimension[];

export type RollupDimension = (typeof ROLLUP_DIMENSIONS)[number];

const ROLLUP_SET: ReadonlySet<Dimension> = new Set(ROLLUP_DIMENSIONS);

export function inRollup(d: Dimension): boolean {
  return ROLLUP_SET.has(d);
}

/** A `where` value as a list; `null` stands for a missing value. */
export function whereValues(v: string | null | readonly (string | null)[]): (string | null)[] {
  return Array.isArray(v) ? [...(v as readonly (string | null)[])] : [v as string | null];
}
