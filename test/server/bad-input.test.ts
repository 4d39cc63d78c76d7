import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  bearer,
  sqliteBackend,
  startServer,
  uid,
  wireEvent,
  type Backend,
  type TestServer,
} from "./harness.js";

/** A 4xx with the contract's JSON error, naming the field when there is one, and never a stack trace. */
function expectJsonError(
  r: { statusCode: number; body: string },
  status: number,
  code: string,
  field?: string,
) {
  expect(r.statusCode, r.body).toBe(status);
  const body = JSON.parse(r.body) as { error: { code: string; message: string; field?: string } };
  expect(body.error.code).toBe(code);
  if (field !== undefined) expect(body.error.field).toBe(field);
  expect(r.body).not.toMatch(/\n\s+at |\.ts:\d+|node_modules/);
}

describe("bad input to the API", () => {
  let backend: Backend;
  let s: TestServer;
  let admin: string;
  beforeAll(async () => {
    backend = sqliteBackend();
    s = await startServer(backend, { rateLimit: { max: 1_000_000, timeWindowMs: 60_000 } });
    admin = (await s.key("admin")).token;
  });
  afterAll(async () => {
    await s?.close();
    await backend?.cleanup();
  });

  const ingest = (payload: unknown) =>
    s.app.inject({
      method: "POST",
      url: "/api/v1/usage",
      headers: bearer(admin),
      payload: payload as object,
    });
  const stored = async () => (await s.storage.rollup({})).totals.events;
  const get = (url: string) => s.app.inject({ method: "GET", url, headers: bearer(admin) });

  it("one bad item rejects the whole batch, names it, and writes nothing", async () => {
    const before = await stored();
    const events = [wireEvent(), wireEvent(), wireEvent(), wireEvent({ timestamp: "2026-02-30T10:00:00Z" })];
    expectJsonError(await ingest({ events }), 400, "bad_request", "events[3].timestamp");
    expect(await stored()).toBe(before);
  });

  it.each([
    ["unknown field", { promptText: "hello" }, "events[0].promptText"],
    ["wrong type", { usage: { outputTokens: "12" } }, "events[0].usage.outputTokens"],
    ["negative tokens", { usage: { outputTokens: -1 } }, "events[0].usage.outputTokens"],
    ["unknown usage bucket", { usage: { magicTokens: 3 } }, "events[0].usage.magicTokens"],
    ["date without a zone", { timestamp: "2026-11-30T10:00:00" }, "events[0].timestamp"],
    ["not a date", { timestamp: "yesterday" }, "events[0].timestamp"],
    ["float cost", { costUsd: 0.25 }, "events[0].costUsd"],
    ["exponent cost", { costUsd: "1e-3" }, "events[0].costUsd"],
    ["id that is not a UUID", { id: "evt-1" }, "events[0].id"],
    ["bad status", { status: "fine" }, "events[0].status"],
  ])("%s is a 400 naming %s", async (_what, over, field) => {
    expectJsonError(await ingest({ events: [wireEvent(over)] }), 400, "bad_request", field);
  });

  it("missing required fields, empty and oversized batches", async () => {
    const { provider: _p, ...noProvider } = wireEvent();
    expectJsonError(await ingest({ events: [noProvider] }), 400, "bad_request", "events[0].provider");
    expectJsonError(await ingest({ events: [] }), 400, "bad_request", "events");
    expectJsonError(
      await ingest({ events: Array.from({ length: 1001 }, () => wireEvent()) }),
      400,
      "bad_request",
      "events",
    );
    expectJsonError(await ingest({ events: [wireEvent()], extra: 1 }), 400, "bad_request", "extra");
  });

  it("a body over 5 MB is 413, a body that is not JSON is 400", async () => {
    const huge = { events: [wireEvent({ metadata: { blob: "x".repeat(6 * 1024 * 1024) } })] };
    expectJsonError(await ingest(huge), 413, "payload_too_large");
    const notJson = await s.app.inject({
      method: "POST",
      url: "/api/v1/usage",
      headers: { ...bearer(admin), "content-type": "application/json" },
      payload: "{events: nope",
    });
    expectJsonError(notJson, 400, "bad_request");
  });

  it("metadata over 16 KB is refused by name (it would be dropped otherwise)", async () => {
    const r = await ingest({ events: [wireEvent({ metadata: { blob: "x".repeat(20_000) } })] });
    expectJsonError(r, 400, "bad_request", "events[0].metadata");
  });

  it("a replayed id with a different body is a conflict and the stored event is unchanged", async () => {
    const id = uid("replay");
    expect((await ingest({ events: [wireEvent({ id, costUsd: "0.5" })] })).json().created).toBe(1);
    const r = await ingest({ events: [wireEvent({ id, costUsd: "0.7" })] });
    expect(r.json().results).toEqual([{ id, status: "conflict" }]);
    expect((await s.storage.eventsById([id]))[0]!.costUsd).toBe("0.5");
  });

  it.each([
    ["/api/v1/costs/aggregate?group_by=session", "group_by[0]"],
    ["/api/v1/costs/aggregate?group_by=model,prompt", "group_by[1]"],
    ["/api/v1/costs/aggregate?granularity=minute", "granularity"],
    ["/api/v1/costs/aggregate?from=2026-13-01", "from"],
    ["/api/v1/costs/aggregate?from=2026-11-02&to=2026-11-01", "from"],
    ["/api/v1/costs/aggregate?tz=Mars/Olympus", "tz"],
    ["/api/v1/costs/aggregate?limit=-3", "limit"],
    ["/api/v1/costs/aggregate?colour=red", "colour"],
    ["/api/v1/latency?group_by=session", "group_by[0]"],
    ["/api/v1/usage?limit=5000", "limit"],
    ["/api/v1/usage?cursor=garbage", "cursor"],
    ["/api/v1/audit?cursor=abc", "cursor"],
  ])("GET %s is a 400 naming %s", async (url, field) => {
    expectJsonError(await get(url), 400, "bad_request", field);
  });

  it("bad budgets and alert ids name the field", async () => {
    const post = (url: string, payload: object) =>
      s.app.inject({ method: "POST", url, headers: bearer(admin), payload });
    expectJsonError(
      await post("/api/v1/budgets", { scope: "team", period: "month", amountUsd: "10" }),
      400,
      "bad_request",
    );
    expectJsonError(
      await post("/api/v1/budgets", { scope: "org", period: "year", amountUsd: "10" }),
      400,
      "bad_request",
      "period",
    );
    expectJsonError(
      await post("/api/v1/budgets", { scope: "org", period: "day", amountUsd: 10 }),
      400,
      "bad_request",
      "amountUsd",
    );
    expectJsonError(await post("/api/v1/alerts/ack", { ids: ["nope"] }), 400, "bad_request", "ids[0]");
    expect((await get("/api/v1/budgets")).json().budgets).toEqual([]);
  });

  it("unknown routes are a JSON 404", async () => {
    expectJsonError(await get("/api/v1/nothing-here"), 404, "not_found");
  });
});

describe("rate limiting", () => {
  it("is per key: one key past its limit gets 429 with Retry-After, another key is unaffected", async () => {
    const backend = sqliteBackend();
    const s = await startServer(backend, { rateLimit: { max: 3, timeWindowMs: 60_000 } });
    try {
      const a = (await s.key("viewer")).token;
      const b = (await s.key("viewer")).token;
      const codes: number[] = [];
      for (let i = 0; i < 4; i++)
        codes.push(
          (await s.app.inject({ method: "GET", url: "/api/v1/budgets", headers: bearer(a) })).statusCode,
        );
      expect(codes).toEqual([200, 200, 200, 429]);
      const limited = await s.app.inject({ method: "GET", url: "/api/v1/budgets", headers: bearer(a) });
      expect(limited.headers["retry-after"]).toBeDefined();
      expectJsonError(limited, 429, "rate_limited");
      expect(
        (await s.app.inject({ method: "GET", url: "/api/v1/budgets", headers: bearer(b) })).statusCode,
      ).toBe(200);
    } finally {
      await s.close();
      await backend.cleanup();
    }
  });
});
