import type { Dimension, TimeBucket } from "tokenledger/storage-kit";
import { ROLLUP_DIMENSIONS, type RollupDimension } from "../_shared/dimensions.js";
import { hourAlignedSpans, type OffsetSpan } from "../_shared/time-zone.js";

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Time grain of a rollup projection: UTC hours or UTC days. */
export type Grain = "hour" | "day";

/**
 * A rollup table kept current in the inserting transaction (PostgreSQL triggers, the SQLite write path): the events summed per (UTC `grain` start, `dims`), other dimensions summed away.
 * Every projection has the same measure columns (see adapters/SCHEMA.md).
 */
export interface Projection {
  /** Table name (also the name `forceProjection` takes). */
  readonly table: string;
  readonly grain: Grain;
  /** Column holding the UTC grain start (epoch ms in SQLite, timestamptz in PostgreSQL). */
  readonly timeColumn: "hour" | "day";
  readonly dims: readonly RollupDimension[];
}

const MODEL_DIMS = ["provider", "model", "environment", "app"] as const satisfies readonly RollupDimension[];
const OWNER_DIMS = [
  "user",
  "team",
  "project",
  "feature",
  "cost_center",
] as const satisfies readonly RollupDimension[];

/**
 * Every rollup projection, smallest expected first: the query planner takes the first one that can answer.
 * Sizes with realistic data (500 users, 6 models, 30 days): hourly_model ≈ hours × models, daily_user ≈ days ×
 * users, daily ≈ days × distinct full keys, hourly ≈ one row per event once the key space is large.
 * Adding or changing a projection needs a new migration in both adapters (never edit an applied one).
 */
export const PROJECTIONS: readonly Projection[] = [
  { table: "token_ledger_hourly_model", grain: "hour", timeColumn: "hour", dims: MODEL_DIMS },
  { table: "token_ledger_daily_user", grain: "day", timeColumn: "day", dims: OWNER_DIMS },
  { table: "token_ledger_daily", grain: "day", timeColumn: "day", dims: ROLLUP_DIMENSIONS },
  { table: "token_ledger_hourly", grain: "hour", timeColumn: "hour", dims: ROLLUP_DIMENSIONS },
];

export function projectionByTable(table: string): Projection {
  const p = PROJECTIONS.find((x) => x.table === table);
  if (!p)
    throw new Error(
      `unknown rollup projection "${table}" (known: ${PROJECTIONS.map((x) => x.table).join(", ")})`,
    );
  return p;
}

/** What a rollup query needs from its source. */
export interface SourceNeeds {
  /** Grouped and filtered dimensions. */
  readonly dims: readonly Dimension[];
  readonly since?: number;
  readonly until?: number;
  readonly bucket?: TimeBucket;
  /** The zone's offsets over the bucketed range (empty when there is no bucket). */
  readonly spans: readonly OffsetSpan[];
}

const aligned = (ms: number | undefined, unit: number) => ms === undefined || ms % unit === 0;

/** Why `p` cannot answer (null when it can): a missing dimension, or a grain the range / zone does not fit. */
export function whyNot(p: Projection, n: SourceNeeds): string | null {
  const missing = n.dims.find((d) => !(p.dims as readonly Dimension[]).includes(d));
  if (missing) return `dimension "${missing}" is summed away`;
  if (p.grain === "hour") {
    if (!aligned(n.since, HOUR_MS) || !aligned(n.until, HOUR_MS))
      return "since/until are not whole UTC hours";
    if (n.bucket && !hourAlignedSpans(n.spans))
      return "the zone's offsets are not whole hours over the range";
    return null;
  }
  if (!aligned(n.since, DAY_MS) || !aligned(n.until, DAY_MS)) return "since/until are not whole UTC days";
  if (n.bucket === "hour") return "hour buckets need an hourly grain";
  // A UTC day is a local day only where the zone is at offset 0 for the whole range.
  if (n.bucket && !n.spans.every((s) => s.offsetMs === 0)) return "the zone is not UTC over the whole range";
  return null;
}

/** The smallest projection among the `present` tables that can answer, else null (scan the events table). */
export function chooseProjection(n: SourceNeeds, present: ReadonlySet<string>): Projection | null {
  return PROJECTIONS.find((p) => present.has(p.table) && whyNot(p, n) === null) ?? null;
}
