import type { FastifyInstance } from "fastify";
import { budgetStatus } from "../../budgets/status.js";
import type { Budget } from "../../budgets/types.js";
import { parseBudget } from "../../budgets/validate.js";
import { requireRole } from "../auth/authenticate.js";
import { budgetInScope } from "../auth/scope.js";
import { actorOf } from "../audit-actor.js";
import { ApiError, parseOr400 } from "../errors.js";
import type { ServerStorage } from "../ports.js";
import type { Principal } from "../schemas/principal.js";
import { BudgetBodySchema, type BudgetBody } from "../schemas/budget.js";

const READ = ["admin", "manager", "viewer"] as const;
const WRITE = ["admin", "manager"] as const;

function checked(p: Principal, body: BudgetBody, id?: string): Budget {
  const budget = parseBudget({ ...body, ...(id ? { id } : {}) });
  if (!budgetInScope(p, budget))
    throw new ApiError(
      "forbidden",
      `a ${budget.scope} budget for ${budget.scopeId} is outside this key's scope`,
      "scope",
    );
  return budget;
}

export function budgetRoutes(app: FastifyInstance, storage: ServerStorage): void {
  const store = storage.budgets;
  /** The budget if it exists and is in scope; out-of-scope budgets are 404, so ids of other teams do not leak. */
  async function find(p: Principal, id: string): Promise<Budget> {
    const b = (await store.list()).find((x) => x.id === id);
    if (!b || !budgetInScope(p, b)) throw new ApiError("not_found", `no budget ${JSON.stringify(id)}`);
    return b;
  }

  app.get("/api/v1/budgets", async (req) => {
    const p = requireRole(req, READ);
    return { budgets: (await store.list()).filter((b) => budgetInScope(p, b)) };
  });

  app.get<{ Params: { id: string } }>("/api/v1/budgets/:id", async (req) => {
    const p = requireRole(req, READ);
    return find(p, req.params.id);
  });

  budgetWriteRoutes(app, storage, find);

  app.get<{ Params: { id: string } }>("/api/v1/budgets/:id/status", async (req) => {
    const p = requireRole(req, READ);
    return budgetStatus(store, await find(p, req.params.id), { ledger: storage });
  });
}

type Find = (p: Principal, id: string) => Promise<Budget>;

/** Create, replace and delete: each change lands in the audit trail with its before and after. */
function budgetWriteRoutes(app: FastifyInstance, storage: ServerStorage, find: Find): void {
  const store = storage.budgets;
  app.post("/api/v1/budgets", async (req, reply) => {
    const p = requireRole(req, WRITE);
    const budget = checked(p, parseOr400(BudgetBodySchema, req.body));
    if ((await store.list()).some((b) => b.id === budget.id))
      throw new ApiError(
        "conflict",
        `budget ${budget.id} exists; PUT /api/v1/budgets/${budget.id} replaces it`,
        "id",
      );
    await store.put(budget);
    await storage.audit.append({
      actor: actorOf(p),
      action: "budget.create",
      target: budget.id,
      details: { after: budget },
    });
    return reply.status(201).send(budget);
  });

  app.put<{ Params: { id: string } }>("/api/v1/budgets/:id", async (req) => {
    const p = requireRole(req, WRITE);
    const before = await find(p, req.params.id);
    const body = parseOr400(BudgetBodySchema, req.body);
    if (body.id !== undefined && body.id !== req.params.id)
      throw new ApiError("bad_request", "id: differs from the id in the path", "id");
    const budget = checked(p, body, req.params.id);
    await store.put(budget);
    await storage.audit.append({
      actor: actorOf(p),
      action: "budget.update",
      target: budget.id,
      details: { before, after: budget },
    });
    return budget;
  });

  app.delete<{ Params: { id: string } }>("/api/v1/budgets/:id", async (req, reply) => {
    const p = requireRole(req, WRITE);
    const before = await find(p, req.params.id);
    await store.remove(before.id);
    await storage.audit.append({
      actor: actorOf(p),
      action: "budget.delete",
      target: before.id,
      details: { before },
    });
    return reply.status(204).send();
  });
}
