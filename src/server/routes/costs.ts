import type { FastifyInstance } from "fastify";
import { DIMENSIONS } from "../../core/query.js";
import { requireRole } from "../auth/authenticate.js";
import { scopedWhere } from "../auth/scope.js";
import { parseOr400 } from "../errors.js";
import type { ServerStorage } from "../ports.js";
import { dimensionFilters, timeRange } from "../request-params.js";
import { AggregateQuerySchema, LatencyQuerySchema } from "../schemas/queries.js";

const READERS = ["admin", "manager", "member", "viewer"] as const;

export function costRoutes(app: FastifyInstance, storage: ServerStorage): void {
  /** The SDK's RollupResult as JSON; the caller's scope is part of the query's where (SQL), never a post-filter. */
  app.get("/api/v1/costs/aggregate", async (req) => {
    const p = requireRole(req, READERS);
    const q = parseOr400(AggregateQuerySchema, req.query);
    const { since, until } = timeRange(q);
    return storage.rollup({
      since,
      until,
      where: scopedWhere(p, dimensionFilters(q, DIMENSIONS)),
      ...(q.group_by ? { groupBy: q.group_by } : {}),
      ...(q.granularity ? { bucket: q.granularity } : {}),
      ...(q.tz ? { timeZone: q.tz } : {}),
      ...(q.order_by ? { orderBy: q.order_by } : {}),
      ...(q.limit ? { limit: q.limit } : {}),
    });
  });

  app.get("/api/v1/latency", async (req) => {
    const p = requireRole(req, READERS);
    const q = parseOr400(LatencyQuerySchema, req.query);
    const { since, until } = timeRange(q);
    const rows = await storage.latency({
      since,
      until,
      where: scopedWhere(p, dimensionFilters(q, DIMENSIONS)),
      ...(q.group_by ? { groupBy: q.group_by } : {}),
      percentiles: [0.5, 0.95, 0.99],
    });
    // Time to first token has no storage query yet: reported as unknown rather than estimated.
    return { rows, ttft: { p50: null, p95: null } };
  });
}
