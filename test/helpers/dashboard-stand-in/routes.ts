// Contract stand-in for the read endpoints the dashboard uses and the alert ack, answering from a real SQLite
// ledger through the SDK's storage (rollups, latency, budget store). Bad parameters get the contract's 400.
import Database from "better-sqlite3";
import type { FastifyInstance } from "fastify";
import { DIMENSIONS, TIME_BUCKETS, type Dimension, type RollupQuery, type TimeBucket } from "tokenledger";
import type { SqliteStorage } from "tokenledger/sqlite";
import { budgetStatuses } from "../../../src/budgets/status.js";
import type { BudgetAlert } from "../../../src/budgets/alerts/channel.js";
import { sendError } from "./auth.js";

type Query = Record<string, string | string[] | undefined>;
class BadRequest extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

const GROUPABLE = DIMENSIONS.filter((d) => d !== "session");
const ORDERS = ["cost", "requests", "tokens", "period"] as const;
const one = (q: Query, k: string) =>
  Array.isArray(q[k]) ? (q[k] as string[])[0] : (q[k] as string | undefined);

function date(q: Query, k: "from" | "to", fallback: Date): Date {
  const v = one(q, k);
  if (v === undefined) return fallback;
  const d = new Date(v);
  if (!/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(d.getTime()))
    throw new BadRequest(k, `${k}: not an ISO date`);
  return d;
}

function window(q: Query): { since: Date; until: Date } {
  const until = date(q, "to", new Date());
  return { since: date(q, "from", new Date(until.getTime() - 30 * 86_400_000)), until };
}

function groupBy(q: Query): Dimension[] {
  const raw = one(q, "group_by");
  const dims = raw ? raw.split(",").map((s) => s.trim()) : [];
  for (const d of dims)
    if (!(GROUPABLE as readonly string[]).includes(d))
      throw new BadRequest("group_by", `group_by: "${d}" is not one of ${GROUPABLE.join(", ")}`);
  return dims as Dimension[];
}

function rollupQuery(q: Query): RollupQuery {
  const granularity = one(q, "granularity");
  if (granularity !== undefined && !(TIME_BUCKETS as readonly string[]).includes(granularity))
    throw new BadRequest("granularity", `granularity: one of ${TIME_BUCKETS.join(", ")}`);
  const orderBy = one(q, "order_by");
  if (orderBy !== undefined && !(ORDERS as readonly string[]).includes(orderBy))
    throw new BadRequest("order_by", `order_by: one of ${ORDERS.join(", ")}`);
  const limit = one(q, "limit");
  if (limit !== undefined && !/^[1-9]\d{0,4}$/.test(limit))
    throw new BadRequest("limit", "limit: a positive integer");
  const where: Partial<Record<Dimension, string[]>> = {};
  for (const d of GROUPABLE) {
    const v = q[d];
    if (v !== undefined) where[d] = Array.isArray(v) ? v : [v];
  }
  return {
    ...window(q),
    groupBy: groupBy(q),
    bucket: granularity as TimeBucket | undefined,
    timeZone: one(q, "tz") ?? "UTC",
    where,
    orderBy: orderBy as RollupQuery["orderBy"],
    limit: limit === undefined ? undefined : Number(limit),
  };
}

export function registerStandInRoutes(app: FastifyInstance, storage: SqliteStorage, dbPath: string): void {
  const raw = new Database(dbPath, { readonly: true });
  app.addHook("onClose", async () => raw.close());
  app.setErrorHandler((err, _req, reply) =>
    err instanceof BadRequest
      ? sendError(reply, 400, "bad_request", err.message, err.field)
      : sendError(reply, 500, "internal", "internal error"),
  );

  app.get<{ Querystring: Query }>("/api/v1/costs/aggregate", async (req) =>
    storage.rollup(rollupQuery(req.query)),
  );

  app.get<{ Querystring: Query }>("/api/v1/latency", async (req) => {
    const { since, until } = window(req.query);
    const rows = await storage.latency({
      since,
      until,
      groupBy: groupBy(req.query),
      percentiles: [0.5, 0.95, 0.99],
    });
    // Nearest rank ceil(p·n), computed in SQLite (as the adapter's latency query does) rather than in JS.
    const rank = (p: number) =>
      `max(case when rn = max(1, min(n, cast(${p} * n as integer) + (${p} * n > cast(${p} * n as integer)))) then v end)`;
    const ttft = raw
      .prepare(
        `with r as (select ttft_ms as v, row_number() over (order by ttft_ms) as rn, count(*) over () as n
           from token_ledger_events where ts >= ? and ts < ? and ttft_ms is not null)
         select ${rank(0.5)} as p50, ${rank(0.95)} as p95 from r`,
      )
      .get(since.getTime(), until.getTime()) as { p50: number | null; p95: number | null };
    return { rows, ttft: { p50: ttft.p50, p95: ttft.p95 } };
  });

  app.get("/api/v1/budgets", async () => ({ budgets: await storage.budgets.list() }));
  app.get<{ Params: { id: string } }>("/api/v1/budgets/:id/status", async (req, reply) => {
    const status = (await budgetStatuses(storage.budgets)).find((s) => s.budget.id === req.params.id);
    return status ?? sendError(reply, 404, "not_found", `no budget ${req.params.id}`);
  });

  // One alert per (budget, period, threshold), whatever the number of channels it went to.
  const alertRows = () =>
    raw
      .prepare(
        `select budget_id, period_key, threshold, min(claimed_ms) as fired, max(acked_by) as acked_by,
           max(acked_ms) as acked_ms, max(payload) as payload
         from token_ledger_budget_alerts group by budget_id, period_key, threshold order by fired`,
      )
      .all() as {
      budget_id: string;
      period_key: string;
      threshold: number;
      fired: number;
      acked_by: string | null;
      acked_ms: number | null;
      payload: string;
    }[];
  const alertId = (r: { budget_id: string; period_key: string; threshold: number }) =>
    Buffer.from(JSON.stringify([r.budget_id, r.period_key, r.threshold])).toString("base64url");

  app.get<{ Querystring: Query }>("/api/v1/alerts", async (req) => {
    const acked = one(req.query, "acked");
    const alerts = alertRows()
      .map((r) => {
        const p = JSON.parse(r.payload) as BudgetAlert;
        return {
          id: alertId(r),
          budgetId: r.budget_id,
          periodKey: r.period_key,
          threshold: Number(r.threshold),
          firedAt: new Date(Number(r.fired)).toISOString(),
          spentUsd: p.spent_usd,
          limitUsd: p.limit_usd,
          acked: r.acked_by !== null,
          ackedAt: r.acked_ms === null ? null : new Date(Number(r.acked_ms)).toISOString(),
          ackedBy: r.acked_by,
        };
      })
      .filter((a) => acked === undefined || String(a.acked) === acked);
    return { alerts };
  });

  app.post<{ Body: { ids?: unknown } }>("/api/v1/alerts/ack", async (req, reply) => {
    const role = req.principal?.role;
    if (role !== "admin" && role !== "manager")
      return sendError(reply, 403, "forbidden", `role ${role} cannot acknowledge alerts`);
    const ids = req.body?.ids;
    if (!Array.isArray(ids) || ids.some((i) => typeof i !== "string"))
      return sendError(reply, 400, "bad_request", "ids: an array of alert ids", "ids");
    const byId = new Map(alertRows().map((r) => [alertId(r), r]));
    let acked = 0;
    for (const id of ids as string[]) {
      const r = byId.get(id);
      if (r && r.acked_by === null)
        acked +=
          (await storage.budgets.ack(
            r.budget_id,
            r.period_key,
            r.threshold,
            `key:${req.principal!.id}`,
            Date.now(),
          )) > 0
            ? 1
            : 0;
    }
    return { acked };
  });
}
