import { z } from "zod";
import { DIMENSIONS, TIME_BUCKETS, type Dimension } from "../../core/query.js";
import { isValidTimeZone } from "../../core/time-zone.js";
import { parseCalendarDate } from "../../cli/time.js";

/**
 * Dimensions an aggregate may group by. `session` is left out: one group per session is unbounded
 * cardinality, a denial-of-service lever on a shared server.
 */
export const GROUP_DIMENSIONS = DIMENSIONS.filter((d) => d !== "session") as Exclude<Dimension, "session">[];

/** A query parameter that may be repeated (`?team=a&team=b`) or comma-separated. */
const list = z.union([z.string(), z.array(z.string())]).transform((v) =>
  (Array.isArray(v) ? v : [v])
    .flatMap((s) => s.split(","))
    .map((s) => s.trim())
    .filter(Boolean),
);

/** `2026-03-01` (midnight in `tz`) or an ISO date-time with a zone. */
export const DateParam = z
  .string()
  .refine(
    (s) =>
      parseCalendarDate(s) !== undefined ||
      (z.iso.datetime({ offset: true }).safeParse(s).success && !Number.isNaN(Date.parse(s))),
    { message: "not an ISO date (YYYY-MM-DD) or date-time with a zone (2026-03-01T00:00:00Z)" },
  );

const TimeZoneParam = z
  .string()
  .refine(isValidTimeZone, { message: "not an IANA time zone (e.g. UTC, Europe/Berlin)" });

const filterShape = Object.fromEntries(DIMENSIONS.map((d) => [d, list.optional()])) as Record<
  Dimension,
  z.ZodOptional<typeof list>
>;

const range = { from: DateParam.optional(), to: DateParam.optional(), tz: TimeZoneParam.optional() };

const groupBy = list
  .pipe(
    z.array(
      z.enum(GROUP_DIMENSIONS, {
        message: `group_by allows only ${GROUP_DIMENSIONS.join(", ")} (session is not allowed: unbounded groups)`,
      }),
    ),
  )
  .describe(`Comma-separated or repeated; any of ${GROUP_DIMENSIONS.join(", ")}`);

export const AggregateQuerySchema = z.strictObject({
  ...range,
  ...filterShape,
  group_by: groupBy.optional(),
  granularity: z.enum(TIME_BUCKETS).optional(),
  order_by: z.enum(["cost", "requests", "tokens", "period"]).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
});
export type AggregateQuery = z.infer<typeof AggregateQuerySchema>;

export const LatencyQuerySchema = z.strictObject({ ...range, ...filterShape, group_by: groupBy.optional() });
export type LatencyQueryParams = z.infer<typeof LatencyQuerySchema>;

export const UsageQuerySchema = z.strictObject({
  ...range,
  provider: list.optional(),
  model: list.optional(),
  user: list.optional(),
  team: list.optional(),
  project: list.optional(),
  feature: list.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(400).optional(),
});
export type UsageQuery = z.infer<typeof UsageQuerySchema>;

export const AuditQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().regex(/^\d+$/, "a cursor from a previous page").optional(),
});

export const AlertsQuerySchema = z.strictObject({
  acked: z.enum(["true", "false"]).optional(),
  budget_id: z.string().max(64).optional(),
});

export const AckBodySchema = z.strictObject({ ids: z.array(z.string().min(1).max(400)).min(1).max(1000) });
