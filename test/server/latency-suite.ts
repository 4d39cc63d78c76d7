import { afterAll, beforeAll, expect, it } from "vitest";
import type { LedgerEvent } from "../../src/core/event.js";
import { latencyBucket } from "../../src/storage-kit.js";
import { nearestRank } from "../../src/storage-kit.js";
import { makeEvents } from "../../bench/storage-bench-util.js";
import { bearer, startServer, type Backend, type TestServer } from "./harness.js";

const DAY = 86_400_000;
const END = Date.UTC(2026, 10, 22);

/** 3 days of events: latencies spread 0.5 ms to ~2 min (fractional), ttft on streamed calls only. */
function events(): LedgerEvent[] {
  return makeEvents(1200, 3, END).map((e, i) => ({
    ...e,
    model: `m-${i % 3}`,
    teamId: i % 5 === 0 ? null : `team-${i % 2}`,
    latencyMs: i % 17 === 0 ? null : 0.5 + ((i * 7919) % 120_000) * 1.37,
    timeToFirstTokenMs: e.streamed ? 10 + ((i * 31) % 3000) : null,
  }));
}

const exact = (xs: number[], p: number) => xs.sort((a, b) => a - b)[nearestRank(p, xs.length) - 1]!;

/** /latency against the raw events, on one real backend. */
export function latencySuite(makeBackend: () => Backend): void {
  let backend: Backend;
  let s: TestServer;
  let admin: string;
  const evs = events();

  beforeAll(async () => {
    backend = makeBackend();
    s = await startServer(backend);
    admin = (await s.key("admin")).token;
    await s.storage.insertBatch(evs);
    await s.storage.insertNew(evs.slice(0, 300)); // replays are not counted twice
  });
  afterAll(async () => {
    await s?.close();
    await backend?.cleanup();
  });

  const latency = async (qs: string, token = admin) => {
    const r = await s.app.inject({ method: "GET", url: `/api/v1/latency?${qs}`, headers: bearer(token) });
    expect(r.statusCode).toBe(200);
    return r.json() as {
      rows: {
        model?: string;
        count: number;
        latencyMs: Record<string, number>;
        ttftMs: Record<string, number>;
      }[];
      ttft: { p50: number | null; p95: number | null; count: number };
      source: string;
    };
  };

  // Whole days from the histogram, the 7 hours at each edge from the events: every figure is the exact
  // nearest-rank value's bucket (within 2% below it, see latency-buckets.ts).
  const from = new Date(END - 3 * DAY + 7 * 3_600_000).toISOString();
  const to = new Date(END - 7 * 3_600_000).toISOString();
  const inRange = (e: LedgerEvent) =>
    e.timestamp.getTime() >= Date.parse(from) && e.timestamp.getTime() < Date.parse(to);

  it("per model p50/p95/p99 and ttft equal the bucket of the exact value; the histogram answered", async () => {
    const body = await latency(`from=${from}&to=${to}&group_by=model`);
    expect(body.source).toBe("histogram");
    expect(body.rows.map((r) => r.model)).toEqual(["m-0", "m-1", "m-2"]);
    for (const row of body.rows) {
      const mine = evs.filter((e) => inRange(e) && e.model === row.model);
      const lat = mine.flatMap((e) => (e.latencyMs === null ? [] : [e.latencyMs]));
      expect(row.count).toBe(lat.length);
      for (const [k, p] of [
        ["p50", 0.5],
        ["p95", 0.95],
        ["p99", 0.99],
      ] as const) {
        const want = exact(lat, p);
        expect(row.latencyMs[k]).toBe(latencyBucket(want));
        expect(row.latencyMs[k]).toBeLessThanOrEqual(want);
        expect(row.latencyMs[k]).toBeGreaterThan(want * 0.98 - 1);
      }
      const ttft = mine.flatMap((e) => (e.timeToFirstTokenMs === null ? [] : [e.timeToFirstTokenMs]));
      expect(row.ttftMs.p95).toBe(latencyBucket(exact(ttft, 0.95)));
    }
    const ttft = evs
      .filter(inRange)
      .flatMap((e) => (e.timeToFirstTokenMs === null ? [] : [e.timeToFirstTokenMs]));
    expect(body.ttft).toEqual({
      p50: latencyBucket(exact(ttft, 0.5)),
      p95: latencyBucket(exact(ttft, 0.95)),
      count: ttft.length,
    });
    expect(body.ttft.count).toBe(evs.filter((e) => inRange(e) && e.streamed).length);
  });

  it("a team-scoped key reads the histogram within its team; a member key reads its own events exactly", async () => {
    const team = await s.key("viewer", { kind: "teams", ids: ["team-1"] });
    const body = await latency(`from=${from}&to=${to}`, team.token);
    expect(body.source).toBe("histogram");
    const lat = evs.filter((e) => inRange(e) && e.teamId === "team-1" && e.latencyMs !== null);
    expect(body.rows[0]!.count).toBe(lat.length);
    expect(body.rows[0]!.latencyMs.p50).toBe(
      latencyBucket(
        exact(
          lat.map((e) => e.latencyMs!),
          0.5,
        ),
      ),
    );

    const member = await s.key("member", { kind: "org" }, "user-7");
    const own = await latency(`from=${from}&to=${to}`, member.token);
    expect(own.source).toBe("events");
    const mine = evs.filter((e) => inRange(e) && e.userId === "user-7" && e.latencyMs !== null);
    expect(own.rows[0]!.count).toBe(mine.length);
    expect(own.rows[0]!.latencyMs.p95).toBe(
      exact(
        mine.map((e) => e.latencyMs!),
        0.95,
      ),
    );
  });

  it("replacing events (an import revising rows) moves them between buckets: delete triggers undo, insert redoes", async () => {
    // The middle day: whole, so read from the histogram (the edge days are counted from the events).
    const revised = evs.slice(400, 800).map((e) => ({ ...e, latencyMs: 5_000_000 }));
    await s.storage.replaceBatch!(revised);
    const now = [...evs.slice(0, 400), ...revised, ...evs.slice(800)];
    const body = await latency(`from=${from}&to=${to}`);
    expect(body.source).toBe("histogram");
    const lat = now.filter((e) => inRange(e) && e.latencyMs !== null).map((e) => e.latencyMs!);
    expect(body.rows[0]!.count).toBe(lat.length);
    for (const [k, p] of [
      ["p50", 0.5],
      ["p95", 0.95],
    ] as const)
      expect(body.rows[0]!.latencyMs[k]).toBe(latencyBucket(exact(lat, p)));
  });
}
