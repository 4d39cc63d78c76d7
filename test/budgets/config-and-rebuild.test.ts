import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  BudgetExceededError,
  BudgetGuard,
  declaredBudgets,
  parseBudget,
  periodWindow,
  rebuildBudget,
  syncDeclaredBudgets,
  type BudgetInput,
} from "tokenledger";
import { sqliteStorage } from "tokenledger/sqlite";
import { validateConfig } from "../../src/config/load.js";
import { ledgerEvent } from "../contract/ledger-events.js";

const dir = mkdtempSync(join(tmpdir(), "tl-budget-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const FILE = join(dir, "tokenledger.config.yaml");

const valid: BudgetInput & { id: string } = {
  id: "search-month",
  scope: "team",
  scopeId: "search",
  period: "month",
  amountUsd: "500",
};

describe("budgets: in the config file", () => {
  it("a valid list parses; each bad budget is refused with the file, the index and the field", () => {
    expect(validateConfig({ budgets: [valid] }, FILE).budgets).toHaveLength(1);
    const bad = (b: Record<string, unknown>) => () => validateConfig({ budgets: [valid, b] }, FILE);
    expect(bad({ ...valid, id: "x", timeZone: "Mars/Base" })).toThrow(
      /tokenledger\.config\.yaml: budgets\[1\]\.timeZone "Mars\/Base" is not an IANA time zone/,
    );
    expect(bad({ ...valid, id: "x", amountUsd: "-5" })).toThrow(/budgets\[1\]\.amountUsd .*non-negative/);
    expect(bad({ ...valid, id: "x", scope: "galaxy" })).toThrow(/budgets\[1\]\.scope "galaxy" is not one of/);
    expect(bad({ ...valid, id: "x", action: "explode" })).toThrow(/budgets\[1\]\.action "explode"/);
    expect(bad({ ...valid, id: "x", thresholds: [50, 120] })).toThrow(
      /budgets\[1\]\.thresholds 120 is out of range/,
    );
    expect(bad({ ...valid, id: "x", weekStart: 9 })).toThrow(
      /budgets\[1\]\.weekStart 9 is not an ISO weekday/,
    );
    expect(bad({ ...valid, id: "x", action: "rate_limit" })).toThrow(
      /budgets\[1\]\.rateLimit action "rate_limit" needs/,
    );
    expect(bad({ ...valid, id: "x", action: "rate_limit", rateLimit: { requestsPerMinute: 1.5 } })).toThrow(
      /budgets\[1\]\.rateLimit\.requestsPerMinute 1\.5 is not a positive whole number/,
    );
    expect(bad({ ...valid, id: "x", colour: "red" })).toThrow(/unknown key "colour" in budgets\[1\]/);
    expect(bad({ ...valid })).toThrow(/budgets\[1\]\.id "search-month" is declared twice/);
    const { id: _, ...noId } = valid;
    expect(bad(noId)).toThrow(/budgets\[1\]\.id is required/);
  });

  it("sync: the file's budgets are written and marked; it wins over CLI edits, removes what it dropped, leaves others", async () => {
    const s = sqliteStorage({ path: join(dir, "sync.db") });
    await s.init();
    const store = s.budgets;
    const other = parseBudget({ id: "cli-made", scope: "org", period: "day", amountUsd: "3" });
    await store.put(other);
    const second: BudgetInput = {
      id: "ops-day",
      scope: "team",
      scopeId: "ops",
      period: "day",
      amountUsd: "9",
    };
    const declared = declaredBudgets([valid, second], FILE, "Europe/Berlin");
    expect(await syncDeclaredBudgets(store, declared)).toEqual({
      written: ["search-month", "ops-day"],
      removed: [],
    });
    let all = await store.list();
    expect(all.find((b) => b.id === "search-month")).toMatchObject({
      managedBy: resolve(FILE),
      timeZone: "Europe/Berlin",
      amountUsd: "500",
    });
    expect(all.find((b) => b.id === "cli-made")!.managedBy).toBeUndefined();

    // Someone edits a declared budget by hand; the next start puts the file's definition back.
    await store.put({ ...all.find((b) => b.id === "search-month")!, amountUsd: "1" });
    await syncDeclaredBudgets(store, declared);
    expect((await store.list()).find((b) => b.id === "search-month")!.amountUsd).toBe("500");

    // The file drops ops-day: it goes; the CLI-made budget stays.
    const r = await syncDeclaredBudgets(store, declaredBudgets([valid], FILE, "Europe/Berlin"));
    expect(r.removed).toEqual(["ops-day"]);
    all = await store.list();
    expect(all.map((b) => b.id)).toEqual(["cli-made", "search-month"]);
    await s.close();
  });
});

describe("budgets: declared to the SDK's guard", () => {
  it("are synced into the store before the first check, and enforced", async () => {
    const s = sqliteStorage({ path: join(dir, "guard.db") });
    await s.init();
    const declared = declaredBudgets(
      [{ id: "tiny", scope: "team", scopeId: "search", period: "day", amountUsd: "0.000001" }],
      FILE,
    );
    const pricer = { price: () => ({ costUsd: "0.01", pricingKey: "t" }) };
    const guard = new BudgetGuard({ store: s.budgets, pricer, declared });
    expect(await s.budgets.list()).toEqual([]);
    const err = await guard
      .admit({
        provider: "openai",
        operation: "chat",
        model: "m",
        body: {},
        attribution: { teamId: "search" },
      })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(BudgetExceededError);
    expect((await s.budgets.list()).map((b) => [b.id, b.managedBy])).toEqual([["tiny", resolve(FILE)]]);
    await s.close();
  });
});

describe("budget rebuild: spent recomputed from the events", () => {
  it("sums the exact cost of the scope's events in the budget's period and zone, keeps reserved", async () => {
    const s = sqliteStorage({ path: join(dir, "rebuild.db") });
    await s.init();
    const budget = parseBudget({
      id: "t",
      scope: "team",
      scopeId: "search",
      period: "day",
      amountUsd: "10",
      timeZone: "America/New_York",
    });
    await s.budgets.put(budget);
    // 2026-11-20 in New York runs 05:00Z .. 05:00Z next day.
    const at = Date.parse("2026-11-20T15:00:00Z");
    await s.insertBatch([
      ledgerEvent({ at: "2026-11-20T05:00:00Z", teamId: "search", costUsd: "0.1" }),
      ledgerEvent({ at: "2026-11-21T04:59:59Z", teamId: "search", costUsd: "0.2" }),
      ledgerEvent({ at: "2026-11-20T04:59:59Z", teamId: "search", costUsd: "5" }), // the day before, there
      ledgerEvent({ at: "2026-11-20T12:00:00Z", teamId: "other", costUsd: "7" }), // another team
      ledgerEvent({ at: "2026-11-20T12:00:00Z", teamId: "search", costUsd: null, unpriced: true }),
    ]);
    const key = periodWindow(at, "day", "America/New_York").key;
    // A stale counter (a crash lost a settle) and an open reservation.
    await s.budgets.reserve({
      id: "open",
      items: [{ budget, periodKey: key }],
      amountUsd: "0.05",
      expiresAt: at + 600_000,
      now: at,
    });
    const r = await rebuildBudget(s.budgets, s, budget, at);
    expect(r).toEqual({
      budgetId: "t",
      periodKey: "2026-11-20",
      beforeUsd: "0",
      afterUsd: "0.3",
      unpricedEvents: 1,
    });
    expect(await s.budgets.counter("t", key)).toMatchObject({ spentUsd: "0.3", reservedUsd: "0.05" });
    // Idempotent: a second rebuild gives the same figure (it sets, never adds).
    expect((await rebuildBudget(s.budgets, s, budget, at)).afterUsd).toBe("0.3");
    expect((await s.budgets.counter("t", key)).spentUsd).toBe("0.3");
    await s.close();
  });
});
