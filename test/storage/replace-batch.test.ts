import { afterAll, describe, expect, it } from "vitest";
import type { LedgerEvent, RollupQuery, RollupResult, StorageAdapter } from "tokenledger";
import { TokenLedgerConfigError } from "tokenledger";
import { memoryStorage } from "tokenledger/memory";
import type { KyselyStorage } from "../../adapters/_kysely/kysely-storage.js";
import { PROJECTIONS } from "../../adapters/_kysely/projections.js";
import { ledgerEvent } from "../contract/ledger-events.js";
import { storageFactories } from "../contract/storages.js";

// replaceBatch revises stored rows (an import's provisional snapshot of a message still streaming): every rollup
// path must then give exactly what a ledger holding only the final rows gives.
const START = Date.UTC(2026, 2, 6, 10);
const pick = <T>(xs: readonly T[], i: number): T => xs[i % xs.length]!;

function provisional(): LedgerEvent[] {
  return Array.from({ length: 120 }, (_, i) =>
    ledgerEvent({
      at: START + i * 11 * 60_000,
      provider: "anthropic",
      model: pick(["m-a", "m-b", "m-c"], i),
      userId: pick(["u1", null, "u2"], i),
      teamId: pick(["t1", null], i),
      projectId: pick(["p1", "p2", null], i),
      app: "claude-code",
      costUsd: pick(["0.000000037500", "0.1", "3"], i),
      usage: { ...ledgerEvent().usage, outputTokens: 1 },
    }),
  );
}

/** The final versions of every third row: more output, a higher cost, and some moved to the next hour/day. */
function revised(rows: readonly LedgerEvent[]): LedgerEvent[] {
  return rows
    .filter((_, i) => i % 3 === 0)
    .map((e, i) => ({
      ...e,
      timestamp: i % 4 === 0 ? new Date(e.timestamp.getTime() + 13 * 3_600_000) : e.timestamp,
      usage: { ...e.usage, outputTokens: 400 + i },
      costUsd: pick(["0.25", "1.000000000001", "7"], i),
      status: i % 5 === 0 ? ("error" as const) : e.status,
    }));
}

const range = { since: new Date(Date.UTC(2026, 2, 6)), until: new Date(Date.UTC(2026, 2, 9)) };
const CASES: { name: string; q: RollupQuery }[] = [
  { name: "totals", q: {} },
  { name: "hour × model", q: { ...range, bucket: "hour", groupBy: ["model"] } },
  { name: "day × user", q: { ...range, bucket: "day", groupBy: ["user"] } },
  { name: "user × team × project", q: { ...range, groupBy: ["user", "team", "project"] } },
  { name: "hour × status", q: { ...range, bucket: "hour", groupBy: ["status"] } },
];

function expectSame(actual: RollupResult, expected: RollupResult, label: string): void {
  expect(actual.rows.length, label).toBe(expected.rows.length);
  const rec = (x: object) => x as Record<string, unknown>;
  const pairs = [
    [rec(actual.totals), rec(expected.totals)],
    ...actual.rows.map((r, i) => [rec(r), rec(expected.rows[i]!)]),
  ] as [Record<string, unknown>, Record<string, unknown>][];
  for (const [a, e] of pairs)
    for (const [k, v] of Object.entries(e)) {
      if (typeof v === "number" && !Number.isInteger(v))
        expect(a[k] as number, `${label} ${k}`).toBeCloseTo(v, 6);
      else expect(a[k], `${label} ${k}`).toEqual(v);
    }
}

for (const factory of storageFactories()) {
  describe.skipIf(!factory.available)(`replaceBatch: ${factory.name}`, () => {
    afterAll(() => factory.cleanup());

    it("revised rows replace the stored ones in the events and in every rollup", async () => {
      const first = provisional();
      const finals = revised(first);
      const finalIds = new Set(finals.map((e) => e.id));
      const reference = memoryStorage();
      await reference.insertBatch([...first.filter((e) => !finalIds.has(e.id)), ...finals]);

      const s = (await factory.create()) as StorageAdapter & Partial<KyselyStorage>;
      await s.insertBatch(first);
      await s.replaceBatch!(finals);
      await s.replaceBatch!(finals); // replacing with the same rows again changes nothing
      const stored = new Map<string, LedgerEvent>();
      for await (const e of s.events({})) stored.set(e.id, e);
      expect(stored.size).toBe(first.length);
      expect(stored.get(finals[0]!.id)!.usage.outputTokens).toBe(400);

      for (const { name, q } of CASES) {
        const expected = await reference.rollup(q);
        expectSame(await s.rollup(q), expected, `${name} (auto)`);
        if (factory.name === "memory") continue;
        const k = s as unknown as KyselyStorage;
        for (const p of PROJECTIONS) {
          k.forceProjection = p.table;
          try {
            const got = await s
              .rollup(q)
              .catch((err: unknown) => (err instanceof TokenLedgerConfigError ? null : Promise.reject(err)));
            if (got !== null) expectSame(got, expected, `${name} (${p.table})`);
          } finally {
            k.forceProjection = null;
          }
        }
      }
      // Without the revision the stored totals differ (the test can tell a replace from an ignored insert).
      const ignored = memoryStorage();
      await ignored.insertBatch(first);
      await ignored.insertBatch(finals);
      expect((await ignored.rollup({})).totals.outputTokens).not.toBe(
        (await s.rollup({})).totals.outputTokens,
      );
    });
  });
}
