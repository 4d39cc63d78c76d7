import type { FastifyInstance } from "fastify";
import { DIMENSIONS } from "../../core/query.js";
import { requireRole } from "../auth/authenticate.js";
import { scopedWhere } from "../auth/scope.js";
import { parseOr400 } from "../errors.js";
import type { ServerStorage, TimedCounts } from "../ports.js";
import { dimensionFilters, timeRange } from "../request-params.js";
import { AggregateQuerySchema, LatencyQuerySchema } from "../schemas/queries.js";
import {
  asLatencyRow,
  groupPercentiles,
  overall,
  timedCounts,
  type TimedQuery,
} from "../timed-percentiles.js";

const READERS = ["admin", "manager", "member", "viewer"] as const;
const LATENCY_PS = [0.5, 0.95, 0.99];
const TTFT_PS = [0.5, 0.95];

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
    return latencyReport(storage.timedCounts, {
      ...timeRange(q),
      where: scopedWhere(p, dimensionFilters(q, DIMENSIONS)),
      groupBy: q.group_by ?? [],
    });
  });
}

/**
 * Latency p50/p95/p99 per group and time to first token (p50/p95, streamed calls), overall and per group. Read
 * from the latency histogram when it can answer (a percentile then lies within 2% below the exact value; see
 * adapters/_shared/latency-buckets.ts), else counted exactly from the events; `source` says which.
 */
async function latencyReport(tc: TimedCounts, q: TimedQuery) {
  const [latency, ttft] = await Promise.all([timedCounts(tc, "latency", q), timedCounts(tc, "ttft", q)]);
  const ttftByGroup = new Map(
    groupPercentiles(ttft.counts, q.groupBy, TTFT_PS).map((g) => [JSON.stringify(g.dims), g]),
  );
  const rows = groupPercentiles(latency.counts, q.groupBy, LATENCY_PS).map((g) => {
    const t = ttftByGroup.get(JSON.stringify(g.dims));
    return {
      ...asLatencyRow(g, q.groupBy),
      ttftMs: t?.ms ?? { p50: null, p95: null },
      ttftCount: t?.count ?? 0,
    };
  });
  const all = groupPercentiles(overall(ttft.counts), [], TTFT_PS)[0];
  return {
    rows,
    ttft: { p50: all?.ms.p50 ?? null, p95: all?.ms.p95 ?? null, count: all?.count ?? 0 },
    source: latency.source,
  };
}
