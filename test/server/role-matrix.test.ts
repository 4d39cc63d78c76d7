import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describePg, pgUrl } from "../helpers/pg.js";
import {
  bearer,
  postgresBackend,
  sqliteBackend,
  startServer,
  uid,
  wireEvent,
  type Backend,
  type TestServer,
} from "./harness.js";

type Role = "admin" | "manager" | "member" | "viewer" | "ingest";
const ROLES: readonly Role[] = ["admin", "manager", "member", "viewer", "ingest"];
const READERS: readonly Role[] = ["admin", "manager", "member", "viewer"];
const BUDGET_READERS: readonly Role[] = ["admin", "manager", "viewer"];
const BUDGET_WRITERS: readonly Role[] = ["admin", "manager"];

interface Endpoint {
  readonly name: string;
  readonly allowed: readonly Role[];
  /** Builds the request (may create what it acts on first). */
  request(
    s: TestServer,
    n: number,
  ): Promise<{ method: "GET" | "POST" | "PUT" | "DELETE"; url: string; payload?: object }>;
}

let counter = 0;
const budget = (id: string) => ({ id, scope: "org" as const, period: "month" as const, amountUsd: "10" });
const seedBudget = async (s: TestServer) => {
  const id = `matrix-${++counter}`;
  await s.storage.budgets.put({
    ...budget(id),
    scopeId: "*",
    timeZone: "UTC",
    weekStart: 1,
    action: "notify",
    thresholds: [50],
    downgradeMap: {},
  });
  return id;
};

const ENDPOINTS: readonly Endpoint[] = [
  {
    name: "POST /api/v1/usage",
    allowed: ["admin", "ingest"],
    request: async () => ({
      method: "POST",
      url: "/api/v1/usage",
      payload: { events: [wireEvent({ userId: "u1" })] },
    }),
  },
  {
    name: "GET /api/v1/usage",
    allowed: READERS,
    request: async () => ({ method: "GET", url: "/api/v1/usage" }),
  },
  {
    name: "GET /api/v1/costs/aggregate",
    allowed: READERS,
    request: async () => ({ method: "GET", url: "/api/v1/costs/aggregate?group_by=model" }),
  },
  {
    name: "GET /api/v1/latency",
    allowed: READERS,
    request: async () => ({ method: "GET", url: "/api/v1/latency" }),
  },
  {
    name: "GET /api/v1/budgets",
    allowed: BUDGET_READERS,
    request: async () => ({ method: "GET", url: "/api/v1/budgets" }),
  },
  {
    name: "POST /api/v1/budgets",
    allowed: BUDGET_WRITERS,
    request: async () => ({ method: "POST", url: "/api/v1/budgets", payload: budget(`new-${++counter}`) }),
  },
  {
    name: "GET /api/v1/budgets/:id/status",
    allowed: BUDGET_READERS,
    request: async (s) => ({ method: "GET", url: `/api/v1/budgets/${await seedBudget(s)}/status` }),
  },
  {
    name: "PUT /api/v1/budgets/:id",
    allowed: BUDGET_WRITERS,
    request: async (s) => {
      const id = await seedBudget(s);
      return { method: "PUT", url: `/api/v1/budgets/${id}`, payload: { ...budget(id), amountUsd: "20" } };
    },
  },
  {
    name: "DELETE /api/v1/budgets/:id",
    allowed: BUDGET_WRITERS,
    request: async (s) => ({ method: "DELETE", url: `/api/v1/budgets/${await seedBudget(s)}` }),
  },
  {
    name: "GET /api/v1/alerts",
    allowed: BUDGET_READERS,
    request: async () => ({ method: "GET", url: "/api/v1/alerts" }),
  },
  {
    name: "POST /api/v1/alerts/ack",
    allowed: BUDGET_WRITERS,
    request: async (s) => {
      const id = await seedBudget(s);
      await s.storage.budgets.claimAlert(
        { budgetId: id, periodKey: "2026-12", threshold: 50, channel: "c" },
        "{}",
        Date.now(),
      );
      const alertId = Buffer.from(JSON.stringify([id, "2026-12", 50])).toString("base64url");
      return { method: "POST", url: "/api/v1/alerts/ack", payload: { ids: [alertId] } };
    },
  },
  {
    name: "GET /api/v1/audit",
    allowed: ["admin"],
    request: async () => ({ method: "GET", url: "/api/v1/audit" }),
  },
];

/** The same key with its last secret character changed (never to itself). */
const flipLast = (t: string) => t.slice(0, -1) + (t.endsWith("X") ? "Y" : "X");

function matrixSuite(makeBackend: () => Backend): void {
  let backend: Backend;
  let s: TestServer;
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    backend = makeBackend();
    s = await startServer(backend);
    for (const role of ROLES)
      tokens.set(role, (await s.key(role, { kind: "org" }, role === "member" ? "u1" : null)).token);
    tokens.set("teamSearch", (await s.key("manager", { kind: "teams", ids: ["search"] })).token);
    tokens.set("teamAdsViewer", (await s.key("viewer", { kind: "teams", ids: ["ads"] })).token);
    tokens.set("projectX", (await s.key("viewer", { kind: "projects", ids: ["px"] })).token);
    const seed = [
      wireEvent({ id: uid("s-1"), teamId: "search", userId: "u1", projectId: "px", costUsd: "1" }),
      wireEvent({ id: uid("s-2"), teamId: "search", userId: "u2", costUsd: "2" }),
      wireEvent({ id: uid("d-1"), teamId: "ads", userId: "u1", costUsd: "4" }),
      wireEvent({ id: uid("d-2"), teamId: "ads", userId: "u3", projectId: "py", costUsd: "8" }),
    ];
    const r = await s.app.inject({
      method: "POST",
      url: "/api/v1/usage",
      headers: bearer(tokens.get("admin")!),
      payload: { events: seed },
    });
    expect(r.json().created).toBe(4);
  });
  afterAll(async () => {
    await s?.close();
    await backend?.cleanup();
  });

  const call = (token: string, method: "GET" | "POST" | "PUT" | "DELETE", url: string, payload?: object) =>
    s.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });

  describe("every role against every endpoint", () => {
    for (const ep of ENDPOINTS)
      for (const role of ROLES) {
        const allowed = ep.allowed.includes(role);
        it(`${role} ${allowed ? "may" : "may not"} ${ep.name}`, async () => {
          const req = await ep.request(s, 0);
          const r = await call(tokens.get(role)!, req.method, req.url, req.payload);
          if (allowed) expect(r.statusCode, r.body).toBeLessThan(300);
          else {
            expect(r.statusCode, r.body).toBe(403);
            expect(r.json().error.code).toBe("forbidden");
          }
        });
      }
  });

  const total = async (token: string, query = "") => {
    const r = await call(token, "GET", `/api/v1/costs/aggregate${query}`);
    return { status: r.statusCode, body: r.json() };
  };

  it("a team-scoped key sees only its team's events, in totals, groups and event lists", async () => {
    const all = await total(tokens.get("admin")!);
    expect(all.body.totals.events).toBeGreaterThanOrEqual(4);
    const search = await total(tokens.get("teamSearch")!, "?group_by=team");
    expect(search.body.rows.map((r: { team: string }) => r.team)).toEqual(["search"]);
    expect(search.body.totals.costUsd).toBe("3");
    const ads = await total(tokens.get("teamAdsViewer")!);
    expect(ads.body.totals.costUsd).toBe("12");
    const list = (await call(tokens.get("teamSearch")!, "GET", "/api/v1/usage?limit=1000")).json();
    expect(new Set(list.events.map((e: { teamId: string }) => e.teamId))).toEqual(new Set(["search"]));
  });

  it("asking for another team's data is 403, not an empty answer", async () => {
    const r = await total(tokens.get("teamSearch")!, "?team=ads");
    expect(r.status).toBe(403);
    expect(r.body.error).toMatchObject({ code: "forbidden", field: "team" });
    expect((await call(tokens.get("teamSearch")!, "GET", "/api/v1/usage?team=search,ads")).statusCode).toBe(
      403,
    );
    expect((await call(tokens.get("teamSearch")!, "GET", "/api/v1/latency?team=ads")).statusCode).toBe(403);
  });

  it("team A's budgets and alerts are invisible to team B; writing one outside the scope is 403", async () => {
    const manager = tokens.get("teamSearch")!;
    const create = await call(manager, "POST", "/api/v1/budgets", {
      id: "ads-month",
      scope: "team",
      scopeId: "ads",
      period: "month",
      amountUsd: "5",
    });
    expect(create.statusCode).toBe(403);
    const own = await call(manager, "POST", "/api/v1/budgets", {
      id: "search-month",
      scope: "team",
      scopeId: "search",
      period: "month",
      amountUsd: "5",
    });
    expect(own.statusCode).toBe(201);
    await s.storage.budgets.claimAlert(
      { budgetId: "search-month", periodKey: "2026-12", threshold: 50, channel: "c" },
      "{}",
      Date.now(),
    );
    const adsViewer = tokens.get("teamAdsViewer")!;
    expect((await call(adsViewer, "GET", "/api/v1/budgets/search-month")).statusCode).toBe(404);
    expect((await call(adsViewer, "GET", "/api/v1/budgets")).json().budgets).toEqual([]);
    expect((await call(adsViewer, "GET", "/api/v1/alerts")).json().alerts).toEqual([]);
    const seen = (await call(manager, "GET", "/api/v1/alerts")).json().alerts;
    expect(seen.map((a: { budgetId: string }) => a.budgetId)).toEqual(["search-month"]);
  });

  it("a member sees only its own user's usage; another user's filter is 403", async () => {
    const member = tokens.get("member")!;
    const events = (await call(member, "GET", "/api/v1/usage?limit=1000")).json().events;
    expect(events.length).toBeGreaterThan(0);
    expect(new Set(events.map((e: { userId: string }) => e.userId))).toEqual(new Set(["u1"]));
    expect((await total(member, "?user=u2")).status).toBe(403);
  });

  it("a project-scoped key sees only its projects", async () => {
    const r = await total(tokens.get("projectX")!);
    expect(r.body.totals.costUsd).toBe("1");
    expect((await total(tokens.get("projectX")!, "?project=py")).status).toBe(403);
  });

  it("wrong, malformed, missing and revoked keys are 401 with a JSON error", async () => {
    const bad = ["tl_aaaaaaaa_" + "b".repeat(32), "not-a-key", flipLast(tokens.get("admin")!)];
    for (const token of bad) {
      const r = await call(token, "GET", "/api/v1/usage");
      expect(r.statusCode).toBe(401);
      expect(r.json().error.code).toBe("unauthorized");
    }
    expect((await s.app.inject({ method: "GET", url: "/api/v1/usage" })).statusCode).toBe(401);
    const doomed = await s.key("viewer");
    expect((await call(doomed.token, "GET", "/api/v1/usage")).statusCode).toBe(200);
    await s.storage.access.revokeKey(doomed.id, Date.now());
    const r = await call(doomed.token, "GET", "/api/v1/usage");
    expect(r.statusCode).toBe(401);
    expect(r.json().error.message).toMatch(/revoked/);
  });
}

describe("roles and scopes [sqlite file]", () => matrixSuite(sqliteBackend));
describePg("roles and scopes", () => matrixSuite(() => postgresBackend(pgUrl()!)));
