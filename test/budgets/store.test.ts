import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseBudget, type BudgetStore } from "tokenledger";
import { postgresStorage } from "tokenledger/postgres";
import { sqliteStorage } from "tokenledger/sqlite";
import { describePg, dropSchema, pgUrl, uniqueSchema } from "../helpers/pg.js";

const dir = mkdtempSync(join(tmpdir(), "tl-budget-store-"));
const schemas: string[] = [];
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  const url = pgUrl();
  if (url) for (const s of schemas) await dropSchema(url, s);
});

interface Opened {
  budgets: BudgetStore;
  init(): Promise<void>;
  close(): Promise<void>;
}

const team = parseBudget({ id: "b-team", scope: "team", scopeId: "t", period: "day", amountUsd: "1" });
const org = parseBudget({ id: "a-org", scope: "org", period: "day", amountUsd: "10" });
const K = "2026-12-01";
const item = (budget = team) => ({ budget, periodKey: K });
const reserve = (s: BudgetStore, id: string, amountUsd: string, now = 1000, items = [item()]) =>
  s.reserve({ id, items, amountUsd, expiresAt: now + 500, now });

/** `fresh()` gives an opener for a new, empty database (opened again to simulate a restart). */
function contract(name: string, fresh: () => () => Opened): void {
  it(`${name}: release gives the hold back; settle trades it for the actual cost, once`, async () => {
    const s = fresh()();
    await s.init();
    await s.budgets.put(team);
    expect(await reserve(s.budgets, "r1", "0.6")).toEqual({ ok: true });
    expect(await reserve(s.budgets, "r2", "0.6")).toMatchObject({
      ok: false,
      budgetId: "b-team",
      reservedUsd: "0.6",
    });
    await s.budgets.release("r1");
    await s.budgets.release("r1");
    expect(await s.budgets.counter("b-team", K)).toMatchObject({ spentUsd: "0", reservedUsd: "0" });
    expect(await reserve(s.budgets, "r3", "0.6")).toEqual({ ok: true });
    expect(await s.budgets.settle("r3", "0.25")).toEqual([
      { budgetId: "b-team", periodKey: K, spentBeforeUsd: "0", spentAfterUsd: "0.25" },
    ]);
    expect(await s.budgets.settle("r3", "0.25")).toEqual([]); // idempotent
    expect(await s.budgets.counter("b-team", K)).toMatchObject({ spentUsd: "0.25", reservedUsd: "0" });
    await s.close();
  });

  it(`${name}: stacked budgets reserve all or none`, async () => {
    const s = fresh()();
    await s.init();
    await s.budgets.put(team);
    await s.budgets.put(org);
    // org has room, team does not: nothing is held on either.
    const r = await reserve(s.budgets, "s1", "5", 1000, [item(org), item(team)]);
    expect(r).toMatchObject({ ok: false, budgetId: "b-team" });
    expect((await s.budgets.counter("a-org", K)).reservedUsd).toBe("0");
    expect(await reserve(s.budgets, "s2", "0.5", 1000, [item(team), item(org)])).toEqual({ ok: true });
    expect((await s.budgets.counter("a-org", K)).reservedUsd).toBe("0.5");
    expect((await s.budgets.counter("b-team", K)).reservedUsd).toBe("0.5");
    await s.close();
  });

  it(`${name}: a restart keeps spent and open reservations; an expired one is reclaimed, its late settle still counts`, async () => {
    const open = fresh();
    const a = open();
    await a.init();
    await a.budgets.put(team);
    expect(await reserve(a.budgets, "crashed", "0.8", 1000)).toEqual({ ok: true });
    await a.close(); // the process dies before settling

    const b = open();
    await b.init();
    expect(await b.budgets.counter("b-team", K)).toMatchObject({ reservedUsd: "0.8" });
    expect(await reserve(b.budgets, "x", "0.5", 1200)).toMatchObject({ ok: false }); // still held
    expect(await reserve(b.budgets, "y", "0.5", 2000)).toEqual({ ok: true }); // TTL passed: reclaimed
    expect(await b.budgets.counter("b-team", K)).toMatchObject({ reservedUsd: "0.5" });
    await b.budgets.settle("crashed", "0.1"); // the call did finish after all
    expect(await b.budgets.counter("b-team", K)).toMatchObject({ spentUsd: "0.1", reservedUsd: "0.5" });
    await b.close();
  });
}

let n = 0;
describe("budget store [sqlite]", () => {
  contract("sqlite", () => {
    const path = join(dir, `s${n++}.db`);
    return () => sqliteStorage({ path });
  });
});

describePg("budget store", () => {
  contract("postgres", () => {
    const schema = uniqueSchema("tl_budget_store");
    schemas.push(schema);
    return () => postgresStorage({ connectionString: pgUrl()!, schema });
  });
});
