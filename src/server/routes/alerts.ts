import type { FastifyInstance } from "fastify";
import type { AlertRow } from "../../budgets/store.js";
import { requireRole } from "../auth/authenticate.js";
import { budgetInScope } from "../auth/scope.js";
import { actorOf } from "../audit-actor.js";
import { ApiError, parseOr400 } from "../errors.js";
import type { ServerStorage } from "../ports.js";
import { AckBodySchema, AlertsQuerySchema } from "../schemas/queries.js";

/** One alert as the API shows it: a budget's threshold crossed in one period (its channels merged). */
export interface ApiAlert {
  readonly id: string;
  readonly budgetId: string;
  readonly periodKey: string;
  readonly threshold: number;
  readonly firedAt: string | null;
  readonly spentUsd: string | null;
  readonly limitUsd: string | null;
  readonly acked: boolean;
  readonly ackedAt: string | null;
  readonly ackedBy: string | null;
}

type AlertKey = readonly [budgetId: string, periodKey: string, threshold: number];

const alertId = (k: AlertKey): string => Buffer.from(JSON.stringify(k)).toString("base64url");

function parseAlertId(id: string, field: string): AlertKey {
  try {
    const k = JSON.parse(Buffer.from(id, "base64url").toString("utf8")) as unknown;
    if (
      Array.isArray(k) &&
      k.length === 3 &&
      typeof k[0] === "string" &&
      typeof k[1] === "string" &&
      typeof k[2] === "number"
    )
      return [k[0], k[1], k[2]];
  } catch {
    /* fall through */
  }
  throw new ApiError("bad_request", `${field}: not an alert id from GET /api/v1/alerts`, field);
}

function payloadAmounts(payload: string): { spentUsd: string | null; limitUsd: string | null } {
  try {
    const p = JSON.parse(payload) as { spent_usd?: unknown; limit_usd?: unknown };
    return {
      spentUsd: typeof p.spent_usd === "string" ? p.spent_usd : null,
      limitUsd: typeof p.limit_usd === "string" ? p.limit_usd : null,
    };
  } catch {
    return { spentUsd: null, limitUsd: null };
  }
}

const iso = (ms: number | null | undefined): string | null =>
  ms === null || ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString();

/** Merge the per-channel outbox rows into one alert per (budget, period, threshold). */
export function toApiAlerts(rows: readonly AlertRow[]): ApiAlert[] {
  const out = new Map<string, ApiAlert>();
  for (const r of rows) {
    const key: AlertKey = [r.budgetId, r.periodKey, r.threshold];
    const id = alertId(key);
    const prev = out.get(id);
    const fired = Math.min(r.claimedAt ?? Infinity, prev?.firedAt ? Date.parse(prev.firedAt) : Infinity);
    const acked = (prev?.acked ?? false) || r.ackedBy !== null;
    out.set(id, {
      id,
      budgetId: r.budgetId,
      periodKey: r.periodKey,
      threshold: r.threshold,
      firedAt: iso(fired),
      ...payloadAmounts(r.payload),
      acked,
      ackedAt: prev?.ackedAt ?? iso(r.ackedAt),
      ackedBy: prev?.ackedBy ?? r.ackedBy,
    });
  }
  return [...out.values()].sort((a, b) => (b.firedAt ?? "").localeCompare(a.firedAt ?? ""));
}

export function alertRoutes(app: FastifyInstance, storage: ServerStorage): void {
  const store = storage.budgets;
  /** Ids of budgets the caller may see; alerts of deleted budgets only for org-wide keys. */
  async function visible(req: Parameters<typeof requireRole>[0], roles: Parameters<typeof requireRole>[1]) {
    const p = requireRole(req, roles);
    const budgets = await store.list();
    const inScope = new Set(budgets.filter((b) => budgetInScope(p, b)).map((b) => b.id));
    const known = new Set(budgets.map((b) => b.id));
    return {
      p,
      ok: (budgetId: string) => inScope.has(budgetId) || (p.scope.kind === "org" && !known.has(budgetId)),
    };
  }

  app.get("/api/v1/alerts", async (req) => {
    const { ok } = await visible(req, ["admin", "manager", "viewer"]);
    const q = parseOr400(AlertsQuerySchema, req.query);
    let alerts = toApiAlerts(await store.alerts(q.budget_id)).filter((a) => ok(a.budgetId));
    if (q.acked !== undefined) alerts = alerts.filter((a) => a.acked === (q.acked === "true"));
    return { alerts };
  });

  app.post("/api/v1/alerts/ack", async (req) => {
    const { p, ok } = await visible(req, ["admin", "manager"]);
    const body = parseOr400(AckBodySchema, req.body);
    const keys = body.ids.map((id, i) => parseAlertId(id, `ids[${i}]`));
    keys.forEach(([budgetId], i) => {
      if (!ok(budgetId))
        throw new ApiError(
          "forbidden",
          `ids[${i}]: budget ${budgetId} is outside this key's scope`,
          `ids[${i}]`,
        );
    });
    const now = Date.now();
    let acked = 0;
    for (const [budgetId, periodKey, threshold] of keys) {
      const n = await store.ack(budgetId, periodKey, threshold, actorOf(p), now);
      if (n > 0) {
        acked++;
        await storage.audit.append(
          { actor: actorOf(p), action: "alert.ack", target: budgetId, details: { periodKey, threshold } },
          now,
        );
      }
    }
    return { acked };
  });
}
