import { afterAll, beforeAll, expect, it } from "vitest";
import { bearer, startServer, uid, wireEvent, type Backend, type TestServer } from "./harness.js";

const DAY = 86_400_000;
const at = (daysAgo: number, hour = 12) => {
  const d = new Date(Date.now() - daysAgo * DAY);
  d.setUTCHours(hour, 0, 0, 0);
  return d.toISOString();
};

/** The API end to end against one real backend (a SQLite file or a PostgreSQL schema). */
export function apiSuite(makeBackend: () => Backend): void {
  let backend: Backend;
  let s: TestServer;
  let admin: string;
  let adminId: string;

  beforeAll(async () => {
    backend = makeBackend();
    s = await startServer(backend);
    const k = await s.key("admin");
    admin = k.token;
    adminId = k.id;
  });
  afterAll(async () => {
    await s?.close();
    await backend?.cleanup();
  });

  const get = (url: string, token = admin) => s.app.inject({ method: "GET", url, headers: bearer(token) });
  const post = (url: string, payload: unknown, token = admin) =>
    s.app.inject({ method: "POST", url, headers: bearer(token), payload: payload as object });

  it("ingests a batch, prices events whose costUsd is absent or null, keeps a sent cost and records the key id, never the secret", async () => {
    const events = [
      wireEvent({ id: uid("a-1"), timestamp: at(2), teamId: "search", userId: "u1" }),
      wireEvent({ id: uid("a-2"), timestamp: at(1), teamId: "ads", userId: "u2", costUsd: "1.25" }),
      wireEvent({ id: uid("a-3"), timestamp: at(1), model: "no-such-model-xyz", teamId: "ads" }),
      wireEvent({ id: uid("a-4"), timestamp: at(3), teamId: "search", costUsd: null }),
    ];
    const r = await post("/api/v1/usage", { events });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ created: 4, duplicates: 0, conflicts: 0 });
    const stored = new Map(
      (await s.storage.eventsById(["a-1", "a-2", "a-3", "a-4"].map(uid))).map((e) => [e.id, e]),
    );
    expect(stored.get(uid("a-1"))!.costUsd).toBe("0.00045"); // gpt-4o-mini: 1000 in at $0.15/M + 500 out at $0.60/M
    expect(stored.get(uid("a-2"))!.costUsd).toBe("1.25");
    expect(stored.get(uid("a-3"))!.costUsd).toBeNull();
    expect(stored.get(uid("a-3"))!.unpriced).toBe(true);
    // costUsd null: the sender's catalog had no price; the server's has one for gpt-4o-mini, so it prices it.
    expect(stored.get(uid("a-4"))!.costUsd).toBe("0.00045");
    expect(stored.get(uid("a-4"))!.unpriced).toBe(false);
    expect(stored.get(uid("a-1"))!.metadata).toEqual({ apiKeyId: adminId });
    expect(JSON.stringify([...stored.values()])).not.toContain(admin.split("_")[2]);
  });

  it("a retried batch is all duplicates and changes no total; a replayed id with another body is a conflict, not written", async () => {
    const before = (await get("/api/v1/costs/aggregate")).json();
    const again = await post("/api/v1/usage", {
      events: [
        wireEvent({ id: uid("a-1"), timestamp: at(2), teamId: "search", userId: "u1" }),
        wireEvent({ id: uid("a-2"), timestamp: at(1), teamId: "ads", userId: "u2", costUsd: "1.25" }),
        wireEvent({ id: uid("a-2"), timestamp: at(1), teamId: "ads", userId: "u2", costUsd: "9.99" }),
        wireEvent({ id: uid("a-5"), timestamp: at(1), teamId: "ads" }),
      ],
    });
    expect(again.statusCode).toBe(200);
    expect(again.json().results.map((x: { status: string }) => x.status)).toEqual([
      "duplicate",
      "duplicate",
      "conflict",
      "created",
    ]);
    const conflict = await post("/api/v1/usage", {
      events: [
        wireEvent({
          id: uid("a-1"),
          timestamp: at(2),
          teamId: "search",
          userId: "u1",
          usage: { outputTokens: 9 },
        }),
      ],
    });
    expect(conflict.json()).toMatchObject({ created: 0, duplicates: 0, conflicts: 1 });
    expect((await s.storage.eventsById([uid("a-1")]))[0]!.usage.outputTokens).toBe(500);
    const after = (await get("/api/v1/costs/aggregate")).json();
    expect(after.totals.events).toBe(before.totals.events + 1); // only a-5
  });

  it("GET /costs/aggregate is exactly the SDK's rollup for the same query", async () => {
    const r = await get(
      "/api/v1/costs/aggregate?group_by=team,model&granularity=day&from=" + at(10).slice(0, 10),
    );
    expect(r.statusCode).toBe(200);
    const since = new Date(`${at(10).slice(0, 10)}T00:00:00Z`);
    const direct = await s.storage.rollup({
      since,
      until: new Date(Date.parse(r.headers.date as string) + 1000),
      groupBy: ["team", "model"],
      bucket: "day",
    });
    expect(r.json().totals).toEqual(JSON.parse(JSON.stringify(direct.totals)));
    expect(r.json().rows.length).toBe(direct.rows.length);
    expect(r.json().totals.costUsd).toBe("1.25135"); // 0.00045 × 3 priced by the server + 1.25 sent
  });

  it("GET /usage pages with a cursor through every event once, oldest first", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const r = await get(`/api/v1/usage?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(r.statusCode).toBe(200);
      const body = r.json() as { events: { id: string; timestamp: string }[]; nextCursor: string | null };
      seen.push(...body.events.map((e) => e.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual(["a-1", "a-2", "a-3", "a-4", "a-5"].map(uid).sort());
    const filtered = (await get("/api/v1/usage?team=search")).json();
    expect(filtered.events.map((e: { id: string }) => e.id).sort()).toEqual(["a-1", "a-4"].map(uid).sort());
  });

  it("GET /latency answers percentiles per group", async () => {
    await post("/api/v1/usage", {
      events: [10, 20, 30, 40].map((ms, i) =>
        wireEvent({ id: uid(`lat-${i}`), timestamp: at(1), latencyMs: ms, model: "gpt-4o" }),
      ),
    });
    const r = await get("/api/v1/latency?group_by=model&model=gpt-4o");
    expect(r.statusCode).toBe(200);
    expect(r.json().rows).toEqual([
      {
        model: "gpt-4o",
        count: 4,
        latencyMs: { p50: 20, p95: 40, p99: 40 },
        ttftMs: { p50: null, p95: null },
        ttftCount: 0,
      },
    ]);
  });

  it("budgets: create, read, replace, status, delete; each change lands in the audit trail", async () => {
    const body = {
      id: "team-search-month",
      scope: "team",
      // A team no earlier test sent usage for: its forecast has no history (earlier tests' "search" events would
      // give one whose value depends on today's date).
      scopeId: "search-budget-only",
      period: "month",
      amountUsd: "100",
    };
    const created = await post("/api/v1/budgets", body);
    expect(created.statusCode).toBe(201);
    expect((await post("/api/v1/budgets", body)).statusCode).toBe(409);
    expect((await get("/api/v1/budgets/team-search-month")).json().amountUsd).toBe("100");
    const put = await s.app.inject({
      method: "PUT",
      url: "/api/v1/budgets/team-search-month",
      headers: bearer(admin),
      payload: { ...body, amountUsd: "250.50" },
    });
    expect(put.statusCode).toBe(200);
    const status = await get("/api/v1/budgets/team-search-month/status");
    expect(status.json()).toMatchObject({
      budget: { amountUsd: "250.5" },
      spentUsd: "0",
      remainingUsd: "250.5",
      forecastUsd: null,
      forecast: { status: "insufficient_data" },
    });
    expect((await get("/api/v1/budgets")).json().budgets.map((b: { id: string }) => b.id)).toEqual([
      "team-search-month",
    ]);
    const del = await s.app.inject({
      method: "DELETE",
      url: "/api/v1/budgets/team-search-month",
      headers: bearer(admin),
    });
    expect(del.statusCode).toBe(204);
    expect((await get("/api/v1/budgets/team-search-month")).statusCode).toBe(404);
    const actions = (await get("/api/v1/audit?limit=10"))
      .json()
      .entries.map((e: { action: string }) => e.action);
    expect(actions.slice(0, 3)).toEqual(["budget.delete", "budget.update", "budget.create"]);
  });

  it("alerts: listed with amounts from the outbox, acked once per threshold, the ack audited", async () => {
    await post("/api/v1/budgets", { id: "org-day", scope: "org", period: "day", amountUsd: "10" });
    const payload = JSON.stringify({
      budget_id: "org-day",
      spent_usd: "8.5",
      limit_usd: "10",
      threshold: 75,
    });
    for (const channel of ["slack", "webhook"])
      await s.storage.budgets.claimAlert(
        { budgetId: "org-day", periodKey: "2026-11-30", threshold: 75, channel },
        payload,
        Date.now(),
      );
    const list = (await get("/api/v1/alerts?acked=false")).json().alerts;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      budgetId: "org-day",
      threshold: 75,
      spentUsd: "8.5",
      limitUsd: "10",
      acked: false,
    });
    const ack = await post("/api/v1/alerts/ack", { ids: [list[0].id] });
    expect(ack.json()).toEqual({ acked: 1 });
    expect((await get("/api/v1/alerts?acked=false")).json().alerts).toHaveLength(0);
    const acked = (await get("/api/v1/alerts?acked=true")).json().alerts[0];
    expect(acked).toMatchObject({ acked: true, ackedBy: `key:${adminId}` });
    expect((await get("/api/v1/audit?limit=1")).json().entries[0]).toMatchObject({
      action: "alert.ack",
      target: "org-day",
    });
  });

  it("dashboard session: cookie login, CSRF required for writes, logout, and a revoked key ends its session", async () => {
    const viewer = await s.key("manager");
    const login = await s.app.inject({
      method: "POST",
      url: "/api/v1/session",
      payload: { key: viewer.token },
    });
    expect(login.statusCode).toBe(200);
    const setCookie = String(login.headers["set-cookie"]);
    expect(setCookie).toMatch(/tl_session=/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).not.toContain(viewer.token);
    const cookie = setCookie.split(";")[0]!;
    const { csrfToken, principal } = login.json();
    expect(principal).toMatchObject({ id: viewer.id, role: "manager", scope: { kind: "org" } });
    const me = await s.app.inject({ method: "GET", url: "/api/v1/session", headers: { cookie } });
    expect(me.json()).toEqual({ csrfToken, principal });
    const b = { id: "cookie-budget", scope: "org", period: "day", amountUsd: "5" };
    const noCsrf = await s.app.inject({
      method: "POST",
      url: "/api/v1/budgets",
      headers: { cookie },
      payload: b,
    });
    expect(noCsrf.statusCode).toBe(403);
    const withCsrf = await s.app.inject({
      method: "POST",
      url: "/api/v1/budgets",
      headers: { cookie, "x-csrf-token": csrfToken },
      payload: b,
    });
    expect(withCsrf.statusCode).toBe(201);
    const { revokeApiKey } = await import("../../src/server/auth/key-service.js");
    await revokeApiKey(s.storage.access, s.storage.audit, viewer.id, "test");
    expect(
      (await s.app.inject({ method: "GET", url: "/api/v1/session", headers: { cookie } })).statusCode,
    ).toBe(401);
    expect((await get("/api/v1/budgets", viewer.token)).statusCode).toBe(401);
    const actions = (await get("/api/v1/audit?limit=20"))
      .json()
      .entries.map((e: { action: string }) => e.action);
    expect(actions).toContain("session.login");
    expect(actions).toContain("key.revoke");
  });

  it("audit trail pages back with a cursor and verifies", async () => {
    const first = (await get("/api/v1/audit?limit=2")).json();
    expect(first.entries).toHaveLength(2);
    const next = (await get(`/api/v1/audit?limit=2&cursor=${first.nextCursor}`)).json();
    expect(next.entries[0].seq).toBe(first.entries[1].seq - 1);
    expect(next.entries[0].hash).toBe(first.entries[1].prevHash);
    expect(await s.storage.audit.verify()).toMatchObject({ ok: true });
  });

  it("serves an OpenAPI 3.1 document generated from the request schemas, without authentication", async () => {
    const r = await s.app.inject({ method: "GET", url: "/api/v1/openapi.json" });
    expect(r.statusCode).toBe(200);
    const doc = r.json();
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.components.schemas.WireEvent.required).toEqual(["id", "timestamp", "provider", "usage"]);
    expect(doc.components.schemas.WireEvent.additionalProperties).toBe(false);
    const params = doc.paths["/api/v1/costs/aggregate"].get.parameters.map((p: { name: string }) => p.name);
    expect(params).toEqual(expect.arrayContaining(["from", "to", "group_by", "granularity", "tz", "team"]));
  });

  it("health and readiness", async () => {
    expect((await s.app.inject({ method: "GET", url: "/healthz" })).json()).toEqual({ status: "ok" });
    expect((await s.app.inject({ method: "GET", url: "/readyz" })).json()).toEqual({ status: "ready" });
  });
}
