import { afterAll, describe, expect, it } from "vitest";
import type { LedgerEvent, RollupQuery, RollupResult, StorageAdapter } from "tokenledger";
import { TokenLedgerConfigError } from "tokenledger";
import { memoryStorage } from "tokenledger/memory";
import type { KyselyStorage } from "../../adapters/_kysely/kysely-storage.js";
import { PROJECTIONS } from "../../adapters/_kysely/projections.js";
import { ledgerEvent } from "./ledger-events.js";
import { storageFactories } from "./storages.js";

// Five days around the America/New_York DST start (2026-03-08 07:00Z), one event every 7 minutes, with every
// attribution value sometimes missing, awkward costs, unpriced events, errors and sample weights.
const START = Date.UTC(2026, 2, 6);
const END = Date.UTC(2026, 2, 11);
const pick = <T>(xs: readonly T[], i: number): T => xs[i % xs.length]!;
const COSTS = ["0.000000037500", "12.345678901234", "0.1", "0.000000000001", "3"];

function dataset(): LedgerEvent[] {
  const out: LedgerEvent[] = [];
  for (let i = 0, t = START; t < END; i++, t += 7 * 60_000) {
    const unpriced = i % 17 === 0;
    // 1/0.3 is not a short decimal: weighted costs then stay below $100 so every backend rounds them alike.
    const weight = pick([1, 1, 1, 10, 4, 2.5, 1 / 0.3], i);
    const big = weight === 1 && i % 29 === 0;
    out.push(
      ledgerEvent({
        at: t,
        provider: i % 3 === 0 ? "anthropic" : "openai",
        model: pick(["m-a", "m-b", "m-c", "m-d"], i),
        userId: pick(["u1", "u2", "u3", null, "u4", "u5", "u6"], i),
        teamId: pick(["t1", "t2", null], i),
        projectId: pick(["p1", null, "p2", "p3", null], i),
        feature: pick(["chat", "search", null, "summarise"], i),
        costCenter: pick([null, "cc1", "cc2"], i),
        environment: pick(["prod", "prod", "dev", null], i),
        app: pick(["web", null, "cli", "web", "api"], i),
        sessionId: pick(["s1", null], i),
        status: i % 11 === 0 ? "error" : "ok",
        costUsd: unpriced ? null : big ? "999.999999999999" : pick(COSTS, i),
        unpriced,
        pricingKey: unpriced ? null : "x/y",
        sampleWeight: weight,
        usage: {
          ...ledgerEvent().usage,
          uncachedInputTokens: 100 + (i % 37),
          outputTokens: i % 53,
          reasoningTokens: i % 5,
        },
      }),
    );
  }
  return out;
}

const day = (d: number) => new Date(Date.UTC(2026, 2, d));
const R = { since: day(6), until: day(11) }; // whole UTC days
const H = { since: new Date("2026-03-06T05:00:00Z"), until: new Date("2026-03-10T17:00:00Z") }; // whole hours only

/** Query shapes and the source the planner must pick for each (the smallest projection that can answer). */
const CASES: { name: string; q: RollupQuery; auto: string | null }[] = [
  { name: "totals, no range", q: {}, auto: "token_ledger_hourly_model" },
  {
    name: "UTC day × model",
    q: { ...R, bucket: "day", groupBy: ["model"] },
    auto: "token_ledger_hourly_model",
  },
  { name: "top users", q: { ...R, groupBy: ["user"], limit: 3 }, auto: "token_ledger_daily_user" },
  { name: "user × model", q: { ...R, groupBy: ["user", "model"] }, auto: "token_ledger_daily" },
  { name: "users over whole hours", q: { ...H, groupBy: ["user"] }, auto: "token_ledger_hourly" },
  {
    name: "UTC hours × provider",
    q: { ...H, bucket: "hour", groupBy: ["provider"] },
    auto: "token_ledger_hourly_model",
  },
  {
    name: "New York days × team (DST)",
    q: { ...R, bucket: "day", timeZone: "America/New_York", groupBy: ["team"] },
    auto: "token_ledger_hourly",
  },
  {
    name: "New York days × model (DST)",
    q: { ...R, bucket: "day", timeZone: "America/New_York", groupBy: ["model"] },
    auto: "token_ledger_hourly_model",
  },
  {
    name: "UTC weeks × environment",
    q: { bucket: "week", groupBy: ["environment"] },
    auto: "token_ledger_hourly_model",
  },
  {
    name: "UTC months × cost center where app missing",
    q: { bucket: "month", groupBy: ["cost_center"], where: { app: null } },
    auto: "token_ledger_daily",
  },
  {
    name: "London days (offset 0 in March) × team",
    q: { ...R, bucket: "day", timeZone: "Europe/London", groupBy: ["team"] },
    auto: "token_ledger_daily_user",
  },
  {
    name: "feature × project where user in (missing, u1)",
    q: { ...R, where: { user: [null, "u1"] }, groupBy: ["feature", "project"] },
    auto: "token_ledger_daily_user",
  },
  {
    name: "New York days × env × app where model",
    q: {
      ...H,
      bucket: "day",
      timeZone: "America/New_York",
      where: { model: ["m-a", "m-b"] },
      groupBy: ["environment", "app"],
    },
    auto: "token_ledger_hourly_model",
  },
  { name: "unaligned since", q: { since: new Date("2026-03-06T05:30:00Z"), groupBy: ["model"] }, auto: null },
  { name: "Kolkata days (+5:30)", q: { ...R, bucket: "day", timeZone: "Asia/Kolkata" }, auto: null },
  { name: "by status", q: { ...R, groupBy: ["status"] }, auto: null },
  {
    name: "UTC hours × user, where session",
    q: { ...H, bucket: "hour", groupBy: ["user"], where: { session: "s1" } },
    auto: null,
  },
];

/** Costs and counts exactly; weighted sums (float) to 1e-9 relative, since paths add them in different orders. */
function expectSame(actual: RollupResult, expected: RollupResult, label: string): void {
  expect(actual.rows.length, label).toBe(expected.rows.length);
  const rec = (x: object) => x as Record<string, unknown>;
  const pairs = [
    [rec(actual.totals), rec(expected.totals)],
    ...actual.rows.map((r, i) => [rec(r), rec(expected.rows[i]!)]),
  ];
  for (const [a, e] of pairs as [Record<string, unknown>, Record<string, unknown>][]) {
    expect(Object.keys(a).sort(), label).toEqual(Object.keys(e).sort());
    for (const [k, v] of Object.entries(e)) {
      if (typeof v === "number" && !Number.isInteger(v))
        expect(a[k] as number, `${label} ${k}`).toBeCloseTo(v, 6);
      else expect(a[k], `${label} ${k}`).toEqual(v);
    }
  }
}

for (const factory of storageFactories().filter((f) => f.name !== "memory")) {
  describe.skipIf(!factory.available)(`rollup paths agree: ${factory.name}`, () => {
    afterAll(() => factory.cleanup());

    it("every projection that can answer, and the raw scan, give the memory adapter's answer", async () => {
      const events = dataset();
      const reference = memoryStorage();
      await reference.insertBatch(events);
      const s = (await factory.create()) as unknown as KyselyStorage & StorageAdapter;
      for (let i = 0; i < events.length; i += 250) await s.insertBatch(events.slice(i, i + 250));
      await s.insertBatch(events.slice(100, 400)); // retried batch: the triggers must not count it again
      const exercised = new Set<string>();
      for (const { name, q, auto } of CASES) {
        const expected = await reference.rollup(q);
        expect(expected.totals.events, name).toBeGreaterThan(0);
        expectSame(await s.rollup(q), expected, `${name} (auto)`);
        expect(s.lastProjection, `${name}: planner choice`).toBe(auto);
        s.forceScan = true;
        expectSame(await s.rollup(q), expected, `${name} (events scan)`);
        expect(s.lastRollupSource).toBe("events");
        s.forceScan = false;
        for (const p of PROJECTIONS) {
          s.forceProjection = p.table;
          try {
            const got = await s
              .rollup(q)
              .catch((err: unknown) => (err instanceof TokenLedgerConfigError ? null : Promise.reject(err)));
            if (got === null) continue; // this projection cannot answer this shape
            expectSame(got, expected, `${name} (${p.table})`);
            expect(s.lastProjection).toBe(p.table);
            exercised.add(p.table);
          } finally {
            s.forceProjection = null;
          }
        }
      }
      expect([...exercised].sort()).toEqual(PROJECTIONS.map((p) => p.table).sort());
    });

    it("forcing a projection that cannot answer names it and the reason", async () => {
      const s = (await factory.create()) as unknown as KyselyStorage & StorageAdapter;
      await s.insertBatch([ledgerEvent()]);
      s.forceProjection = "token_ledger_hourly_model";
      await expect(s.rollup({ groupBy: ["user"] })).rejects.toThrow(
        /forceProjection: token_ledger_hourly_model cannot answer this query \(dimension "user" is summed away\)/,
      );
      s.forceProjection = "token_ledger_daily";
      await expect(s.rollup({ since: new Date("2026-11-20T01:00:00Z") })).rejects.toThrow(
        /not whole UTC days/,
      );
      await expect(s.rollup({ bucket: "day", timeZone: "America/New_York" })).rejects.toThrow(
        /not UTC over the whole range/,
      );
      s.forceProjection = "nope";
      await expect(s.rollup({})).rejects.toThrow(/unknown rollup projection "nope"/);
      s.forceProjection = null;
    });
  });
}
