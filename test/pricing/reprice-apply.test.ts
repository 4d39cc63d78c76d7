import { afterAll, describe, expect, it } from "vitest";
import type { LedgerEvent, RollupQuery, StorageAdapter } from "tokenledger";
import { TokenLedgerConfigError } from "tokenledger";
import type { KyselyStorage } from "../../adapters/_kysely/kysely-storage.js";
import { PROJECTIONS } from "../../adapters/_kysely/projections.js";
import { Dec, ZERO } from "../../src/pricing/decimal.js";
import { applyReprice } from "../../src/pricing/reprice-apply.js";
import { ledgerEvent } from "../cli/seed.js";
import { storageFactories } from "../contract/storages.js";
import { catalogPricer } from "./price-helpers.js";

// `prices reprice` writes: stored events priced again at their own time, changed rows overwritten, and every
// rollup projection must then agree with a raw sum over the stored events.
const START = Date.UTC(2026, 10, 1);
const correct = (usage: LedgerEvent["usage"], at: Date) =>
  catalogPricer.price({
    provider: "openai",
    model: "gpt-4o",
    requestedModel: null,
    usage,
    serviceTier: null,
    batch: false,
    at,
  });

/** 60 events over ~4 days: 12 each of newly priceable, stale, provided, never priceable and already right. */
function seeded(): LedgerEvent[] {
  return Array.from({ length: 60 }, (_, i) => {
    const at = new Date(START + i * 97 * 60_000).toISOString();
    const usage = { uncachedInputTokens: 1000 * (i + 1), outputTokens: 10 * i };
    const userId = i % 2 === 0 ? "u1" : "u2";
    switch (i % 5) {
      case 0: // stored before gpt-5-codex had a price
        return ledgerEvent({ at, model: "gpt-5-codex", usage, userId, costUsd: null });
      case 1: // a stale price
        return ledgerEvent({ at, usage, userId, costUsd: "0.1", pricingKey: "openai/gpt-4o" });
      case 2: // the provider said so: kept
        return ledgerEvent({ at, usage, userId, costUsd: "5", pricingKey: "provided" });
      case 3: // no price anywhere: stays unpriced
        return ledgerEvent({ at, provider: "acme", model: "acme-x", usage, userId, costUsd: null });
      default: {
        const e = ledgerEvent({ at, usage, userId });
        const p = correct(e.usage, e.timestamp);
        return { ...e, costUsd: p.costUsd, pricingKey: p.pricingKey, unpriced: false };
      }
    }
  });
}

async function stored(s: StorageAdapter): Promise<Map<string, LedgerEvent>> {
  const m = new Map<string, LedgerEvent>();
  for await (const e of s.events({})) m.set(e.id, e);
  return m;
}

/** Rollups (every projection on SQL backends) equal the raw per-(day, model, user) sums over the events. */
async function expectRollupsMatchEvents(s: StorageAdapter, events: Iterable<LedgerEvent>): Promise<void> {
  const raw = new Map<string, { cost: Dec; unpriced: number; events: number }>();
  let total = ZERO;
  let unpriced = 0;
  for (const e of events) {
    const key = `${e.timestamp.toISOString().slice(0, 10)}|${e.model}|${e.userId}`;
    const g = raw.get(key) ?? { cost: ZERO, unpriced: 0, events: 0 };
    if (e.costUsd !== null) g.cost = g.cost.plus(e.costUsd);
    if (e.unpriced) g.unpriced += 1;
    g.events += 1;
    raw.set(key, g);
    if (e.costUsd !== null) total = total.plus(e.costUsd);
    if (e.unpriced) unpriced += 1;
  }
  const q: RollupQuery = {
    since: new Date(START),
    until: new Date(START + 7 * 86_400_000),
    bucket: "day",
    groupBy: ["model", "user"],
  };
  const check = async (label: string) => {
    const totals = (await s.rollup({})).totals;
    expect(
      new Dec(totals.costUsd).equals(total),
      `${label} total ${totals.costUsd} vs ${total.toFixed()}`,
    ).toBe(true);
    expect(totals.unpricedEvents, label).toBe(unpriced);
    const got = await s
      .rollup(q)
      .catch((err: unknown) => (err instanceof TokenLedgerConfigError ? null : Promise.reject(err)));
    if (got === null) return; // this projection cannot answer a day × model × user query
    expect(got.rows.length, label).toBe(raw.size);
    for (const r of got.rows) {
      const g = raw.get(`${r.period}|${r.model}|${r.user}`);
      expect(g, `${label} ${r.period} ${r.model} ${r.user}`).toBeDefined();
      expect(new Dec(r.costUsd).equals(g!.cost), `${label} ${r.period} ${r.model} cost`).toBe(true);
      expect(r.unpricedEvents, label).toBe(g!.unpriced);
      expect(r.events, label).toBe(g!.events);
    }
  };
  await check("auto");
  if (s.kind === "memory") return;
  const k = s as unknown as KyselyStorage;
  for (const p of PROJECTIONS) {
    k.forceProjection = p.table;
    try {
      await check(p.table);
    } finally {
      k.forceProjection = null;
    }
  }
}

for (const factory of storageFactories()) {
  describe.skipIf(!factory.available)(`applyReprice: ${factory.name}`, () => {
    afterAll(() => factory.cleanup());

    it("writes changed costs only, keeps provided ones, honours --model/--since, and a second run changes nothing", async () => {
      const events = seeded();
      const s = await factory.create();
      await s.insertBatch(events);
      const byKind = (k: number) => events.filter((_, i) => i % 5 === k).map((e) => e.id);

      // A dry run writes nothing.
      const dry = await applyReprice(s, catalogPricer, { dryRun: true });
      expect(dry).toMatchObject({ changed: 24, written: 0, newlyPriced: 12, keptProvided: 12 });
      expect((await stored(s)).get(byKind(1)[0]!)!.costUsd).toBe("0.1");

      // --model: only the stale gpt-4o rows.
      const onlyGpt4o = await applyReprice(s, catalogPricer, { model: "gpt-4o" });
      expect(onlyGpt4o).toMatchObject({ scanned: 36, changed: 12, written: 12, newlyPriced: 0 });
      let now = await stored(s);
      for (const id of byKind(1)) {
        const e = now.get(id)!;
        expect(e.costUsd).toBe(correct(e.usage, e.timestamp).costUsd);
      }
      expect(byKind(0).every((id) => now.get(id)!.unpriced)).toBe(true);
      await expectRollupsMatchEvents(s, now.values());

      // --since: only the newly priceable rows at or after the cut.
      const cut = events[30]!.timestamp;
      const later = await applyReprice(s, catalogPricer, { since: cut });
      const after = byKind(0).filter((id) => now.get(id)!.timestamp >= cut);
      expect(later).toMatchObject({
        changed: after.length,
        written: after.length,
        newlyPriced: after.length,
      });
      now = await stored(s);
      for (const id of byKind(0)) expect(now.get(id)!.unpriced).toBe(!after.includes(id));

      // Everything else.
      const rest = await applyReprice(s, catalogPricer);
      expect(rest).toMatchObject({ written: 12 - after.length, keptProvided: 12 });
      now = await stored(s);
      expect(now.size).toBe(60);
      for (const id of byKind(0)) {
        const e = now.get(id)!;
        expect(e.unpriced).toBe(false);
        expect(e.costUsd).not.toBeNull();
        expect(e.pricingKey).toBe("openai/gpt-5");
      }
      for (const id of byKind(2)) expect(now.get(id)!.costUsd).toBe("5");
      for (const id of byKind(3)) expect(now.get(id)!).toMatchObject({ costUsd: null, unpriced: true });
      await expectRollupsMatchEvents(s, now.values());
      const totals = (await s.rollup({})).totals;

      // Idempotent: a second run finds nothing to change and the rollups stay put.
      const again = await applyReprice(s, catalogPricer);
      expect(again).toMatchObject({ changed: 0, written: 0, newlyPriced: 0 });
      expect(again.beforeUsd).toBe(again.afterUsd);
      expect((await s.rollup({})).totals).toEqual(totals);
      await s.close();
    });
  });
}

describe("applyReprice without replaceBatch", () => {
  it("refuses to write (naming the storage) but still answers a dry run", async () => {
    const { memoryStorage } = await import("tokenledger/memory");
    const inner = memoryStorage();
    await inner.insertBatch(seeded());
    const readOnly: StorageAdapter = {
      kind: "custom",
      init: () => inner.init(),
      insertBatch: (e) => inner.insertBatch(e),
      rollup: (q) => inner.rollup(q),
      latency: (q) => inner.latency(q),
      events: (q) => inner.events(q),
      close: () => inner.close(),
    };
    await expect(applyReprice(readOnly, catalogPricer)).rejects.toThrow(/custom storage cannot overwrite/);
    expect((await applyReprice(readOnly, catalogPricer, { dryRun: true })).changed).toBe(24);
  });
});
