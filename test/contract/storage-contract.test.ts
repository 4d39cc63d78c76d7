import { Decimal } from "decimal.js";
import { afterAll, describe, expect, it } from "vitest";
import type { Dimension, LedgerEvent, RollupQuery, StorageAdapter } from "tokenledger";
import { DIMENSIONS } from "tokenledger";
import { PROJECTIONS } from "../../adapters/_kysely/projections.js";
import { ledgerEvent } from "./ledger-events.js";
import { storageFactories } from "./storages.js";

const D = Decimal.clone({ precision: 60 });

async function collect(
  s: StorageAdapter,
  q: Parameters<StorageAdapter["events"]>[0] = {},
): Promise<LedgerEvent[]> {
  const out: LedgerEvent[] = [];
  for await (const e of s.events(q)) out.push(e);
  return out;
}

const source = (s: StorageAdapter) => (s as unknown as { lastRollupSource?: string }).lastRollupSource;

for (const factory of storageFactories()) {
  describe.skipIf(!factory.available)(`StorageAdapter contract: ${factory.name}`, () => {
    afterAll(() => factory.cleanup());

    it("stores each id once: re-inserting a batch changes neither rows nor rollups", async () => {
      const s = await factory.create();
      const batch = Array.from({ length: 10 }, (_, i) => ledgerEvent({ at: `2026-11-20T10:0${i}:00Z` }));
      await s.insertBatch(batch);
      await s.insertBatch([...batch, ledgerEvent({ at: "2026-11-20T11:00:00Z" })]);
      expect(await collect(s)).toHaveLength(11);
      const r = await s.rollup({});
      expect(r.totals.events).toBe(11);
      expect(r.totals.costUsd).toBe("0.011");
      const day = {
        since: new Date("2026-11-20T00:00:00Z"),
        until: new Date("2026-11-21T00:00:00Z"),
        groupBy: ["model"] as Dimension[],
      };
      const hourly = await s.rollup(day);
      expect(hourly.rows).toMatchObject([{ model: "gpt-4o", events: 11, costUsd: "0.011" }]);
      const sql = s as unknown as { forceProjection?: string | null };
      if (factory.name !== "memory") {
        for (const p of PROJECTIONS) {
          sql.forceProjection = p.table; // every projection saw each row once
          expect((await s.rollup({ since: day.since, until: day.until })).totals, p.table).toMatchObject({
            events: 11,
            costUsd: "0.011",
          });
        }
        sql.forceProjection = null;
      }
    });

    it("round-trips every field of an event", async () => {
      const s = await factory.create();
      const e = ledgerEvent({
        at: "2026-11-20T10:00:00.123Z",
        requestedModel: "gpt-4o-latest",
        streamed: true,
        status: "error",
        errorType: "RateLimitError",
        httpStatus: 429,
        errorMessage: "slow down",
        latencyMs: 1234.5,
        timeToFirstTokenMs: 210,
        requestId: "req_1",
        usageSource: "partial",
        serviceTier: "flex",
        batch: true,
        costUsd: "0.0000000375",
        userId: "u1",
        teamId: "t1",
        projectId: "p1",
        feature: "chat",
        costCenter: "cc1",
        sessionId: "s1",
        traceId: "tr1",
        environment: "prod",
        app: "web",
        metadata: { route: "/x", n: 2, nested: { ok: true } },
        sampleWeight: 4,
        requestedTarget: "openai:gpt-4o",
        effectiveTarget: "azure:gpt-4o",
        attempt: 2,
        failoverReason: "server_error",
        usage: { ...ledgerEvent().usage, inputAudioTokens: 7, outputAudioTokens: 8, webSearchRequests: 2 },
      });
      await s.insertBatch([e]);
      const [back] = await collect(s);
      expect(back).toEqual(e);
    });

    it("sums ~20k awkward costs exactly, to the last of 12 decimals", async () => {
      const s = await factory.create();
      const costs = [
        "0.000000037500",
        "0.000000000001",
        "0.1",
        "0.2",
        "12.345678901234",
        "999.999999999999",
        "0.000123456789",
        "3",
      ];
      const events: LedgerEvent[] = [];
      let expected = new D(0);
      for (let i = 0; i < 20_000; i++) {
        const c = costs[(i * 7 + (i >> 3)) % costs.length]!;
        expected = expected.plus(c);
        events.push(ledgerEvent({ at: Date.UTC(2026, 10, 1) + i * 60_000, costUsd: c, model: `m${i % 5}` }));
      }
      for (let i = 0; i < events.length; i += 2000) await s.insertBatch(events.slice(i, i + 2000));
      const r = await s.rollup({ groupBy: ["model"] });
      expect(r.totals.costUsd).toBe(expected.toFixed());
      expect(r.rows.reduce((a, row) => a.plus(row.costUsd), new D(0)).toFixed()).toBe(expected.toFixed());
      const scanned = await s.rollup({
        groupBy: ["model"],
        since: new Date(Date.UTC(2026, 10, 1, 0, 0, 30)),
      });
      expect(scanned.totals.events).toBe(19_999);
    });

    it("groups by every dimension, missing values as null", async () => {
      const s = await factory.create();
      const events = [
        ledgerEvent({
          provider: "openai",
          model: "a",
          userId: "u1",
          teamId: "t1",
          projectId: "p1",
          feature: "f1",
          costCenter: "c1",
          environment: "prod",
          app: "web",
          sessionId: "s1",
          effectiveTarget: "openai:a",
          operation: "chat",
          status: "ok",
          costUsd: "1",
        }),
        ledgerEvent({
          provider: "anthropic",
          model: "b",
          userId: "u2",
          teamId: "t2",
          projectId: "p2",
          feature: "f2",
          costCenter: "c2",
          environment: "dev",
          app: "cli",
          sessionId: "s2",
          effectiveTarget: "bedrock:b",
          operation: "messages",
          status: "error",
          costUsd: "2",
        }),
        ledgerEvent({
          provider: "anthropic",
          model: "b",
          costUsd: "4",
          operation: "messages",
          status: "aborted",
        }),
      ];
      await s.insertBatch(events);
      const expectedCost: Record<Dimension, Record<string, string>> = {
        provider: { openai: "1", anthropic: "6" },
        model: { a: "1", b: "6" },
        user: { u1: "1", u2: "2", null: "4" },
        team: { t1: "1", t2: "2", null: "4" },
        project: { p1: "1", p2: "2", null: "4" },
        feature: { f1: "1", f2: "2", null: "4" },
        cost_center: { c1: "1", c2: "2", null: "4" },
        environment: { prod: "1", dev: "2", null: "4" },
        app: { web: "1", cli: "2", null: "4" },
        session: { s1: "1", s2: "2", null: "4" },
        target: { "openai:a": "1", "bedrock:b": "2", null: "4" },
        operation: { chat: "1", messages: "6" },
        status: { ok: "1", error: "2", aborted: "4" },
      };
      for (const d of DIMENSIONS) {
        const r = await s.rollup({ groupBy: [d] });
        const got = Object.fromEntries(r.rows.map((row) => [String(row[d]), row.costUsd]));
        expect(got, d).toEqual(expectedCost[d]);
        expect(r.totals.costUsd).toBe("7");
      }
      const errors = await s.rollup({ groupBy: ["status"] });
      expect(errors.totals.errorEvents).toBe(1);
      const two = await s.rollup({ groupBy: ["provider", "user"] });
      expect(two.rows.map((r) => [r.provider, r.user, r.costUsd])).toEqual([
        ["anthropic", null, "4"],
        ["anthropic", "u2", "2"],
        ["openai", "u1", "1"],
      ]);
    });

    it("filters with where: single value, any-of, and null for missing", async () => {
      const s = await factory.create();
      await s.insertBatch([
        ledgerEvent({ userId: "u1", teamId: "t1", costUsd: "1" }),
        ledgerEvent({ userId: "u2", teamId: "t1", costUsd: "2" }),
        ledgerEvent({ userId: null, teamId: "t2", costUsd: "4", sessionId: "s" }),
      ]);
      const cost = async (q: RollupQuery) => (await s.rollup(q)).totals.costUsd;
      expect(await cost({ where: { user: "u1" } })).toBe("1");
      expect(await cost({ where: { user: ["u1", "u2"] } })).toBe("3");
      expect(await cost({ where: { user: null } })).toBe("4");
      expect(await cost({ where: { user: [null, "u2"] } })).toBe("6");
      expect(await cost({ where: { team: "t1", user: "u2" } })).toBe("2");
      expect(await cost({ where: { session: null } })).toBe("3");
      expect(await cost({ where: { user: [] } })).toBe("0");
      expect(await cost({ where: { team: "nobody" } })).toBe("0");
    });

    it("buckets days in UTC, in America/New_York across the DST change, and in Asia/Kolkata (+5:30)", async () => {
      const s = await factory.create();
      await s.insertBatch([
        ledgerEvent({ at: "2026-03-08T04:30:00Z", costUsd: "1" }), // NY 03-07 23:30 EST
        ledgerEvent({ at: "2026-03-08T06:30:00Z", costUsd: "2" }), // NY 03-08 01:30 EST (DST starts 07:00Z)
        ledgerEvent({ at: "2026-03-09T03:30:00Z", costUsd: "4" }), // NY 03-08 23:30 EDT
        ledgerEvent({ at: "2026-03-09T18:29:00Z", costUsd: "8" }), // Kolkata 03-09 23:59
        ledgerEvent({ at: "2026-03-09T18:31:00Z", costUsd: "16" }), // Kolkata 03-10 00:01
      ]);
      const days = async (timeZone: string, extra: RollupQuery = {}) =>
        (await s.rollup({ bucket: "day", timeZone, ...extra })).rows.map((r) => [r.period, r.costUsd]);
      expect(await days("UTC")).toEqual([
        ["2026-03-08", "3"],
        ["2026-03-09", "28"],
      ]);
      expect(await days("America/New_York")).toEqual([
        ["2026-03-07", "1"],
        ["2026-03-08", "6"],
        ["2026-03-09", "24"],
      ]);
      expect(await days("Asia/Kolkata")).toEqual([
        ["2026-03-08", "3"],
        ["2026-03-09", "12"],
        ["2026-03-10", "16"],
      ]);
      const range = { since: new Date("2026-03-07T00:00:00Z"), until: new Date("2026-03-11T00:00:00Z") };
      expect(await days("America/New_York", range)).toEqual([
        ["2026-03-07", "1"],
        ["2026-03-08", "6"],
        ["2026-03-09", "24"],
      ]);
      if (factory.name !== "memory") expect(source(s)).toBe("rollup"); // whole-hour offsets: hourly table answers
      expect(await days("Asia/Kolkata", range)).toEqual([
        ["2026-03-08", "3"],
        ["2026-03-09", "12"],
        ["2026-03-10", "16"],
      ]);
      if (factory.name !== "memory") expect(source(s)).toBe("events"); // +5:30 cannot be re-bucketed from hours
      const hours = await s.rollup({
        bucket: "hour",
        timeZone: "Asia/Kolkata",
        where: { model: "gpt-4o" },
        since: new Date("2026-03-09T18:00:00Z"),
      });
      expect(hours.rows.map((r) => r.period)).toEqual(["2026-03-09T23:00", "2026-03-10T00:00"]);
    });

    it("buckets weeks from Monday and months, in the zone", async () => {
      const s = await factory.create();
      await s.insertBatch([
        ledgerEvent({ at: "2026-11-22T15:00:00Z", costUsd: "1" }), // Sunday → week of Mon 11-16
        ledgerEvent({ at: "2026-11-23T15:00:00Z", costUsd: "2" }), // Monday
        ledgerEvent({ at: "2026-12-01T03:00:00Z", costUsd: "4" }), // NY: Mon 11-30 22:00, UTC: December
        ledgerEvent({ at: "2026-11-30T03:00:00Z", costUsd: "8" }), // NY: Sun 11-29 22:00, UTC: Mon 11-30
      ]);
      const rows = async (q: RollupQuery) => (await s.rollup(q)).rows.map((r) => [r.period, r.costUsd]);
      expect(await rows({ bucket: "week" })).toEqual([
        ["2026-11-16", "1"],
        ["2026-11-23", "2"],
        ["2026-11-30", "12"],
      ]);
      expect(await rows({ bucket: "month" })).toEqual([
        ["2026-11", "11"],
        ["2026-12", "4"],
      ]);
      expect(await rows({ bucket: "month", timeZone: "America/New_York" })).toEqual([["2026-11", "15"]]);
      expect(await rows({ bucket: "week", timeZone: "America/New_York" })).toEqual([
        ["2026-11-16", "1"],
        ["2026-11-23", "10"],
        ["2026-11-30", "4"],
      ]);
    });

    it("orders by cost, requests or tokens and keeps the top N", async () => {
      const s = await factory.create();
      await s.insertBatch([
        ...Array.from({ length: 5 }, () => ledgerEvent({ model: "cheap", costUsd: "0.01" })),
        ledgerEvent({ model: "pricey", costUsd: "3" }),
        ledgerEvent({
          model: "mid",
          costUsd: "0.5",
          usage: { ...ledgerEvent().usage, outputTokens: 100_000 },
        }),
      ]);
      const top = await s.rollup({ groupBy: ["model"], limit: 2 });
      expect(top.rows.map((r) => r.model)).toEqual(["pricey", "mid"]);
      expect(top.totals.events).toBe(7); // totals cover every row, not only the top N
      expect((await s.rollup({ groupBy: ["model"], orderBy: "requests", limit: 1 })).rows[0]!.model).toBe(
        "cheap",
      );
      expect((await s.rollup({ groupBy: ["model"], orderBy: "tokens", limit: 1 })).rows[0]!.model).toBe(
        "mid",
      );
    });

    it("computes nearest-rank latency percentiles per group, ignoring missing latencies", async () => {
      const s = await factory.create();
      await s.insertBatch([
        ...Array.from({ length: 100 }, (_, i) => ledgerEvent({ model: "a", latencyMs: 100 - i })),
        ...Array.from({ length: 10 }, (_, i) => ledgerEvent({ model: "b", latencyMs: (i + 1) * 10 })),
        ledgerEvent({ model: "b", latencyMs: null }),
      ]);
      const rows = await s.latency({ groupBy: ["model"] });
      expect(rows).toEqual([
        { model: "a", count: 100, latencyMs: { p50: 50, p90: 90, p99: 99 } },
        { model: "b", count: 10, latencyMs: { p50: 50, p90: 90, p99: 100 } },
      ]);
      const all = await s.latency({ percentiles: [0.25, 1], where: { model: "b" } });
      expect(all).toEqual([{ count: 10, latencyMs: { p25: 30, p100: 100 } }]);
      expect(await s.latency({ where: { model: "none" } })).toEqual([]);
    });

    it("streams events oldest first across pages, with time, where and unpriced filters", async () => {
      const s = await factory.create();
      const base = Date.UTC(2026, 10, 1);
      const events = Array.from({ length: 25 }, (_, i) =>
        ledgerEvent({
          at: base + Math.floor(i / 2) * 1000,
          userId: i % 2 ? "odd" : "even",
          costUsd: i % 5 === 0 ? null : "0.1",
          unpriced: i % 5 === 0,
        }),
      );
      await s.insertBatch([...events].reverse());
      const all = await collect(s, { pageSize: 4 });
      const expectedOrder = [...events].sort(
        (a, b) => a.timestamp.getTime() - b.timestamp.getTime() || (a.id < b.id ? -1 : 1),
      );
      expect(all.map((e) => e.id)).toEqual(expectedOrder.map((e) => e.id));
      const window = await collect(s, {
        since: new Date(base + 2000),
        until: new Date(base + 5000),
        where: { user: "odd" },
        pageSize: 2,
      });
      expect(window.map((e) => e.userId)).toEqual(["odd", "odd", "odd"]);
      const unpriced = await collect(s, { unpricedOnly: true, pageSize: 2 });
      expect(unpriced).toHaveLength(5);
      expect(unpriced.every((e) => e.unpriced && e.costUsd === null)).toBe(true);
    });

    it("counts unpriced events apart: they add no cost, never a zero price", async () => {
      const s = await factory.create();
      await s.insertBatch([
        ledgerEvent({ model: "known", costUsd: "0.25" }),
        ledgerEvent({ model: "mystery", costUsd: null, unpriced: true, pricingKey: null }),
        ledgerEvent({ model: "mystery", costUsd: null, unpriced: true, pricingKey: null }),
      ]);
      const r = await s.rollup({ groupBy: ["model"] });
      expect(r.totals).toMatchObject({ costUsd: "0.25", unpricedEvents: 2, events: 3 });
      expect(r.rows.find((x) => x.model === "mystery")).toMatchObject({ costUsd: "0", unpricedEvents: 2 });
    });

    it("weights requests, tokens and cost by sample weight; events stay unweighted", async () => {
      const s = await factory.create();
      await s.insertBatch([
        ledgerEvent({ sampleWeight: 10, costUsd: "0.000000037500" }),
        ledgerEvent({ sampleWeight: 1, costUsd: "1" }),
      ]);
      for (const q of [
        {},
        { since: new Date("2026-11-20T00:00:00Z") },
        { since: new Date("2026-11-20T00:00:01Z") },
      ]) {
        const t = (await s.rollup(q)).totals;
        expect(t).toMatchObject({
          requests: 11,
          events: 2,
          uncachedInputTokens: 1100,
          inputTokens: 1375,
          cacheWriteTokens: 55,
          outputTokens: 550,
          reasoningTokens: 110,
          totalTokens: 1925,
        });
        expect(t.costUsd).toBe("1.000000375");
      }
    });

    it("rejects bad queries with errors naming the option", async () => {
      const s = await factory.create();
      await expect(s.rollup({ groupBy: ["nope" as Dimension] })).rejects.toThrow(
        /groupBy: unknown dimension "nope"/,
      );
      await expect(s.rollup({ bucket: "day", timeZone: "Mars/Base" })).rejects.toThrow(
        /timeZone: "Mars\/Base"/,
      );
      await expect(s.rollup({ limit: 0 })).rejects.toThrow(/limit/);
      await expect(s.latency({ percentiles: [1.5] })).rejects.toThrow(/percentiles/);
    });
  });
}
