import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BudgetFieldError, BudgetGuard, parseBudget, rebuildBudget, type BudgetInput } from "tokenledger";
import { sqliteStorage } from "tokenledger/sqlite";
import { budgetsConfigSchema } from "../../src/budgets/config-schema.js";
import { periodDays } from "../../src/budgets/forecast.js";
import { budgetStatus } from "../../src/budgets/status.js";
import { ledgerEvent, type EventSeed } from "../cli/seed.js";

const dir = mkdtempSync(join(tmpdir(), "tl-budget-custom-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BERLIN = "Europe/Berlin";
const custom = (o: Partial<BudgetInput>) =>
  parseBudget({ scope: "team", scopeId: "a", period: "custom", amountUsd: "1000", timeZone: BERLIN, ...o });
const spend = (at: string, costUsd: string): EventSeed => ({ at, teamId: "a", costUsd, unpriced: false });

describe("custom period budgets", () => {
  it("refuses bad ranges, naming the field", () => {
    const field = (o: Partial<BudgetInput>) => {
      try {
        custom(o);
        return "accepted";
      } catch (e) {
        return e instanceof BudgetFieldError ? `${e.field}: ${e.why}` : String(e);
      }
    };
    expect(field({ end: "2026-04-01" })).toMatch(/^start: period "custom" needs a start/);
    expect(field({ start: "2026-03-01" })).toMatch(/^end: period "custom" needs a end/);
    expect(field({ start: "2026-02-30", end: "2026-04-01" })).toMatch(
      /^start: "2026-02-30" is not a calendar date/,
    );
    expect(field({ start: "2026-03-01T24:00", end: "2026-04-01" })).toMatch(/^start: .* not a time of day/);
    expect(field({ start: "2026-03-01", end: "2026-04-01T00:00Z" })).toMatch(/^end: .* has a UTC offset/);
    expect(field({ start: "March 1", end: "2026-04-01" })).toMatch(/^start: .* is not a date/);
    expect(field({ start: "2026-03-01", end: "2026-03-01" })).toMatch(/^end: 2026-03-01 is not after start/);
    expect(() => parseBudget({ scope: "org", period: "day", amountUsd: "1", start: "2026-03-01" })).toThrow(
      'budget start: only a "custom" period has a start (this one is "day")',
    );
    const r = budgetsConfigSchema.safeParse([
      { id: "q1", scope: "org", period: "custom", amountUsd: 5, start: "2026-04-01", end: "2026-01-01" },
    ]);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]).toMatchObject({ path: [0, "end"] });
  });

  it("counts only events inside [start, end) in the budget's zone, across Berlin's DST change", async () => {
    const s = sqliteStorage({ path: join(dir, "range.db") });
    await s.init();
    // 00:00 CET on March 1 is Feb 28 23:00Z; 03:00 CEST on March 29 (the skipped hour's end) is 01:00Z.
    const b = custom({ id: "march", start: "2026-03-01", end: "2026-03-29T03:00" });
    await s.budgets.put(b);
    expect((await s.budgets.list())[0]).toMatchObject({ start: "2026-03-01", end: "2026-03-29T03:00" });
    await s.insertBatch(
      [
        spend("2026-02-28T22:59:59Z", "100"), // 23:59:59 Feb 28 local: before
        spend("2026-02-28T23:00:00Z", "1"), // local midnight: inside (start inclusive)
        spend("2026-03-29T00:59:59Z", "2"), // 01:59:59 CET: inside
        spend("2026-03-29T01:00:00Z", "100"), // 03:00 CEST: the end, exclusive
        { ...spend("2026-03-10T12:00:00Z", "100"), teamId: "b" }, // other team
      ].map(ledgerEvent),
    );
    const r = await rebuildBudget(s.budgets, s, b, Date.parse("2026-03-10T12:00:00Z"));
    expect(r).toMatchObject({ periodKey: "2026-03-01..2026-03-29T03:00", afterUsd: "3" });
    await s.close();
  });

  it("reserves only against a budget whose range holds now", async () => {
    const s = sqliteStorage({ path: join(dir, "guard.db") });
    await s.init();
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const open = custom({ id: "open", start: day(-2), end: day(2), amountUsd: "10" });
    // A tiny blocking budget in the future (and one in the past) must neither block nor count.
    const later = custom({ id: "later", start: day(3), end: day(5), amountUsd: "0.000001" });
    const before = custom({ id: "before", start: day(-5), end: day(-3), amountUsd: "0.000001" });
    for (const b of [open, later, before]) await s.budgets.put(b);
    const guard = new BudgetGuard({ store: s.budgets, cacheMs: 0 });
    const a = await guard.admit({
      provider: "openai",
      operation: "chat",
      model: "gpt-4o",
      body: { messages: [{ role: "user", content: "hi" }], max_tokens: 100 },
      attribution: { teamId: "a" },
    });
    a.finish({ provider: "openai", model: "gpt-4o", usage: { outputTokens: 10 } });
    await guard.idle();
    const key = (b: typeof open) => `${b.start}..${b.end}`;
    expect(Number((await s.budgets.counter("open", key(open))).spentUsd)).toBeGreaterThan(0);
    for (const b of [later, before])
      expect(await s.budgets.counter(b.id, key(b))).toMatchObject({ spentUsd: "0", reservedUsd: "0" });
    await s.close();
  });

  it("status ends the period at the range end and forecasts to it; no forecast outside the range", async () => {
    const s = sqliteStorage({ path: join(dir, "status.db") });
    await s.init();
    const b = custom({ id: "sprint", start: "2026-03-01", end: "2026-03-15" });
    await s.budgets.put(b);
    const days = ["01", "02", "03", "04", "05", "06", "07"];
    await s.insertBatch(
      [
        ...days.map((d) => spend(`2026-03-${d}T12:00:00+01:00`, "10")),
        spend("2026-03-08T09:00:00+01:00", "4"),
      ].map(ledgerEvent),
    );
    const now = Date.parse("2026-03-08T15:00:00+01:00");
    await rebuildBudget(s.budgets, s, b, now);
    const st = await budgetStatus(s.budgets, b, { ledger: s, now });
    // 74 so far + (median 10 − today's 4) + 6 days (9th … 14th) × 10
    expect(st).toMatchObject({
      periodKey: "2026-03-01..2026-03-15",
      periodEnd: "2026-03-14T23:00:00.000Z",
      spentUsd: "74",
      forecastUsd: "140.00",
    });
    const after = await budgetStatus(s.budgets, b, { ledger: s, now: Date.parse("2026-03-20T12:00:00Z") });
    expect(after).toMatchObject({ spentUsd: "74" });
    expect(after).not.toHaveProperty("forecast");
    // an end at noon still counts its day
    const noon = custom({ start: "2026-03-01", end: "2026-03-10T12:00" });
    expect(periodDays(noon, now)).toMatchObject({ first: { day: 1 }, next: { day: 11 } });
    await s.close();
  });
});
