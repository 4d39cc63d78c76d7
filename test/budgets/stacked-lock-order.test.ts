import { randomUUID } from "node:crypto";
import { Decimal } from "decimal.js";
import { afterAll, expect, it } from "vitest";
import { parseBudget, periodWindow, type Budget } from "tokenledger";
import { postgresStorage, type PostgresStorage } from "tokenledger/postgres";
import { describePg, dropSchema, pgUrl, uniqueSchema } from "../helpers/pg.js";

const schemas: string[] = [];
afterAll(async () => {
  const url = pgUrl();
  if (url) for (const s of schemas) await dropSchema(url, s);
});

const POOLS = 4; // separate pools: separate sessions, as separate processes would have
const CALLS = 25;
const EACH = "0.01";

interface Outcome {
  granted: number;
  errors: string[];
  spent: string[];
  reserved: string[];
}

/**
 * Stacked budgets (org ∩ team ∩ user), every call listing them in a random order; the user cap (0.30) binds.
 * `sortLocks` off locks counters in the order given, so two calls can each hold one counter the other needs.
 */
async function stackedRace(sortLocks: boolean): Promise<Outcome> {
  const url = pgUrl()!;
  const schema = uniqueSchema("tl_budget_stack");
  schemas.push(schema);
  // Deadlocks are detected after deadlock_timeout (default 1 s, each one in the control waits it out); 50 ms
  // only makes the detector look sooner: it never reports a deadlock that is not there.
  const fast = new URL(url);
  fast.searchParams.set("options", "-c deadlock_timeout=50ms");
  const stores: PostgresStorage[] = Array.from({ length: POOLS }, () =>
    postgresStorage({ connectionString: fast.toString(), schema }),
  );
  for (const s of stores) await s.init();
  const budgets: Budget[] = [
    parseBudget({ id: "org", scope: "org", period: "month", amountUsd: "1.00" }),
    parseBudget({ id: "team", scope: "team", scopeId: "t", period: "month", amountUsd: "0.50" }),
    parseBudget({ id: "user", scope: "user", scopeId: "u", period: "month", amountUsd: "0.30" }),
  ];
  for (const b of budgets) await stores[0]!.budgets.put(b);
  const key = periodWindow(Date.now(), "month", "UTC").key;
  let granted = 0;
  const errors: string[] = [];
  await Promise.all(
    stores.flatMap((s) => {
      s.budgets.sortLocks = sortLocks;
      return Array.from({ length: CALLS }, async () => {
        const items = budgets.map((budget) => ({ budget, periodKey: key })).sort(() => Math.random() - 0.5);
        const id = randomUUID();
        const now = Date.now();
        try {
          const r = await s.budgets.reserve({ id, items, amountUsd: EACH, expiresAt: now + 60_000, now });
          if (!r.ok) return;
          granted++;
          await new Promise((res) => setTimeout(res, Math.random() * 3));
          await s.budgets.settle(id, EACH);
        } catch (e) {
          errors.push(e instanceof Error ? e.message : String(e));
        }
      });
    }),
  );
  const counters = await Promise.all(budgets.map((b) => stores[0]!.budgets.counter(b.id, key)));
  for (const s of stores) await s.close();
  return {
    granted,
    errors,
    spent: counters.map((c) => new Decimal(c.spentUsd).toFixed(2)),
    reserved: counters.map((c) => new Decimal(c.reservedUsd).toFixed(2)),
  };
}

describePg("stacked budgets under concurrency: counters locked in one order", () => {
  it("100 calls over org ∩ team ∩ user in random item order: no deadlock, the user cap holds exactly", async () => {
    const o = await stackedRace(true);
    expect(o.errors).toEqual([]);
    expect(o.granted).toBe(30);
    expect(o.spent).toEqual(["0.30", "0.30", "0.30"]);
    expect(o.reserved).toEqual(["0.00", "0.00", "0.00"]);
  }, 120_000);

  it("negative control: locking in the order given deadlocks", async () => {
    const o = await stackedRace(false);
    expect(o.errors.some((m) => /deadlock/i.test(m))).toBe(true);
  }, 180_000); // each deadlock costs PostgreSQL's deadlock_timeout (1 s) to detect
});
