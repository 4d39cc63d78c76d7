import type { Budget } from "../../budgets/types.js";
import type { Dimension, RollupQuery } from "../../core/query.js";
import { ApiError } from "../errors.js";
import type { Principal } from "../schemas/principal.js";

type Where = NonNullable<RollupQuery["where"]>;
type Values = string | null | readonly (string | null)[];

const asList = (v: Values): (string | null)[] =>
  Array.isArray(v) ? [...(v as (string | null)[])] : [v as string | null];

/** Restrict `dim` to `allowed`: the caller's own filter must stay inside it (else 403), no filter means all of it. */
function restrict(
  where: Record<string, Values>,
  dim: Dimension,
  allowed: readonly string[],
  what: string,
): void {
  const asked = where[dim];
  if (asked === undefined) {
    where[dim] = [...allowed];
    return;
  }
  for (const v of asList(asked))
    if (v === null || !allowed.includes(v))
      throw new ApiError("forbidden", `${dim}=${String(v)} is outside this key's scope (${what})`, dim);
}

/**
 * The caller's filters with its scope added, for the storage query: scope becomes `where` equality filters
 * that the adapters put into SQL, so out-of-scope rows are never read.
 */
export function scopedWhere(p: Principal, requested: Where): Where {
  const where: Record<string, Values> = { ...requested };
  if (p.scope.kind === "teams") restrict(where, "team", p.scope.ids, `teams ${p.scope.ids.join(", ")}`);
  if (p.scope.kind === "projects")
    restrict(where, "project", p.scope.ids, `projects ${p.scope.ids.join(", ")}`);
  if (p.role === "member") {
    if (!p.userId) throw new ApiError("forbidden", "this member key has no user id");
    restrict(where, "user", [p.userId], `own usage of user ${p.userId}`);
  }
  return where;
}

/** Whether a budget lies inside the caller's scope (org keys see all; team/project keys their own budgets). */
export function budgetInScope(p: Principal, b: Pick<Budget, "scope" | "scopeId">): boolean {
  if (p.scope.kind === "org") return true;
  if (p.scope.kind === "teams") return b.scope === "team" && p.scope.ids.includes(b.scopeId);
  return b.scope === "project" && p.scope.ids.includes(b.scopeId);
}
