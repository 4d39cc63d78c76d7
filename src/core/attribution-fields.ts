/**
 * The one table of attribution fields. Each field is declared once here with every spelling it has elsewhere:
 * the option key an application passes (`withContext({ costCenter })`), the event column, the rollup dimension
 * (`--group-by cost_center`), the CLI table header, help text and the request header the middleware reads.
 * `ATTRIBUTION_KEYS`, `DIMENSIONS`, the adapters' column maps, CLI headers and help are all derived from it.
 *
 * Adding a dimension: one entry here, plus a migration adding the column (and, with `rollup: true`, the
 * projection columns) in each SQL adapter's migration list.
 */
export interface AttributionField {
  /** camelCase option key, also the `LedgerEvent` property and the export/JSONL field name. */
  readonly key: string;
  /** snake_case column of the events table. */
  readonly column: string;
  /** Rollup dimension (`groupBy`, `where`, `--group-by`); null when the field is not a dimension (a trace id). */
  readonly dimension: string | null;
  /** Whether the rollup projections keep this dimension (their tables have a column for it). */
  readonly rollup: boolean;
  /** Column title in CLI tables. */
  readonly header: string;
  /** One line for docs and help. */
  readonly help: string;
  /** Request header the express/fastify middleware reads by default, if any. */
  readonly httpHeader?: string;
  /** Unbounded values (one per end user): kept on spans, never a metric dimension (OpenTelemetry export). */
  readonly highCardinality?: boolean;
}

// Order matters and is public: it is the column order of `tokenledger export` and of `ATTRIBUTION_KEYS`.
export const ATTRIBUTION_FIELDS = [
  {
    key: "userId",
    column: "user_id",
    dimension: "user",
    rollup: true,
    header: "User",
    help: "end user the call was made for",
    httpHeader: "x-user-id",
    highCardinality: true,
  },
  {
    key: "teamId",
    column: "team_id",
    dimension: "team",
    rollup: true,
    header: "Team",
    help: "team that owns the spend",
    httpHeader: "x-team-id",
  },
  {
    key: "projectId",
    column: "project_id",
    dimension: "project",
    rollup: true,
    header: "Project",
    help: "project or product",
    httpHeader: "x-project-id",
  },
  {
    key: "feature",
    column: "feature",
    dimension: "feature",
    rollup: true,
    header: "Feature",
    help: "feature of the application that made the call",
    httpHeader: "x-feature",
  },
  {
    key: "costCenter",
    column: "cost_center",
    dimension: "cost_center",
    rollup: true,
    header: "Cost center",
    help: "finance cost center charged",
    httpHeader: "x-cost-center",
  },
  {
    key: "sessionId",
    column: "session_id",
    dimension: "session",
    rollup: false,
    header: "Session",
    help: "conversation or session",
    httpHeader: "x-session-id",
  },
  {
    key: "traceId",
    column: "trace_id",
    dimension: null,
    rollup: false,
    header: "Trace",
    help: "distributed trace id (links, not a dimension)",
  },
  {
    key: "environment",
    column: "environment",
    dimension: "environment",
    rollup: true,
    header: "Environment",
    help: "deployment environment (production, staging, ...)",
  },
  {
    key: "app",
    column: "app",
    dimension: "app",
    rollup: true,
    header: "App",
    help: "application or service name",
  },
] as const satisfies readonly AttributionField[];

type Field = (typeof ATTRIBUTION_FIELDS)[number];
export type AttributionKey = Field["key"];
/** Attribution dimensions: the fields that are rollup dimensions. */
export type AttributionDimension = Exclude<Field["dimension"], null>;

export const ATTRIBUTION_KEYS: readonly AttributionKey[] = ATTRIBUTION_FIELDS.map((f) => f.key);

type DimensionField = Extract<Field, { dimension: AttributionDimension }>;
const isDimension = (f: Field): f is DimensionField => f.dimension !== null;

/** Attribution fields that are dimensions, those the rollup projections keep first (the order DIMENSIONS uses). */
export const ATTRIBUTION_DIMENSION_FIELDS: readonly DimensionField[] = [
  ...ATTRIBUTION_FIELDS.filter(isDimension).filter((f) => f.rollup),
  ...ATTRIBUTION_FIELDS.filter(isDimension).filter((f) => !f.rollup),
];

/** The field behind an attribution dimension (`cost_center` → costCenter / cost_center). */
export function fieldOfDimension(d: string): DimensionField | undefined {
  return ATTRIBUTION_DIMENSION_FIELDS.find((f) => f.dimension === d);
}
