import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BudgetGuard, parseBudget, verifySignature, webhookChannel, type BudgetAlert } from "tokenledger";
import { sqliteStorage } from "tokenledger/sqlite";
import { ledgerEvent } from "../cli/seed.js";
import { startReceiver } from "./receiver.js";

const dir = mkdtempSync(join(tmpdir(), "tl-budget-forecast-alerts-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DAY = 86_400_000;
const call = {
  provider: "openai",
  operation: "chat",
  model: "gpt-4o",
  body: { messages: [{ role: "user", content: "hi" }], max_tokens: 100 },
  attribution: {},
};
const usage = {
  provider: "openai",
  model: "gpt-4o",
  usage: { uncachedInputTokens: 1000, outputTokens: 100 },
};

/**
 * Two trackers (each its own connection to one SQLite ledger) settle calls at once; the ledger holds $10 a day
 * of history, so a $5 month projects past its amount (even on the month's last day) and a $1000 one does not.
 * `exactlyOnce: false` is the negative control: claim and lease always won, as with no unique row.
 */
async function deliveries(file: string, exactlyOnce: boolean): Promise<BudgetAlert[]> {
  const receiver = await startReceiver();
  const path = join(dir, file);
  const seed = sqliteStorage({ path });
  await seed.init();
  const midday = Date.now() - (Date.now() % DAY) + DAY / 2;
  await seed.insertBatch(
    [1, 2, 3, 4, 5, 6, 7].map((i) =>
      ledgerEvent({ at: new Date(midday - i * DAY).toISOString(), costUsd: "10", unpriced: false }),
    ),
  );
  for (const [id, amountUsd] of [
    ["tight", "5"],
    ["roomy", "1000"],
    ["half", "0.006"], // the first call ($0.0035) crosses its 50 %
  ] as const)
    await seed.budgets.put(
      parseBudget({ id, scope: "org", period: "month", amountUsd, action: "notify", thresholds: [50] }),
    );
  await seed.close();

  const ledgers = [sqliteStorage({ path }), sqliteStorage({ path })];
  const guards = ledgers.map((s) => {
    if (!exactlyOnce) {
      s.budgets.claimAlert = () => Promise.resolve(true);
      s.budgets.leaseAlert = () => Promise.resolve(true);
    }
    return new BudgetGuard({
      store: s.budgets,
      ledger: s,
      channels: [webhookChannel({ url: receiver.url, secret: "s" })],
      onError: (m) => expect.fail(m),
    });
  });
  const admissions = await Promise.all([...guards, ...guards].map((g) => g.admit(call)));
  for (const a of admissions) a.finish(usage);
  for (const g of guards) await g.idle();
  for (const s of ledgers) await s.close();
  await receiver.close();
  for (const r of receiver.received) expect(verifySignature("s", r.body, r.signature!)).toBe(true);
  return receiver.received.map((r) => JSON.parse(r.body) as BudgetAlert);
}

describe("forecast alerts", () => {
  it("fire once per (budget, period) across two trackers when the projection passes the amount", async () => {
    const all = await deliveries("once.db", true);
    expect(all.map((a) => `${a.type} ${a.budget_id}`).sort()).toEqual([
      "budget.forecast half",
      "budget.forecast tight",
      "budget.threshold half",
    ]);
    // the threshold alert carries the forecast too
    expect(all.find((a) => a.type === "budget.threshold")).toMatchObject({
      threshold: 50,
      forecast_usd: expect.stringMatching(/^\d+\.\d\d$/),
    });
    const got = all.filter((a) => a.type === "budget.forecast" && a.budget_id === "tight");
    expect(got[0]).toMatchObject({
      type: "budget.forecast",
      budget_id: "tight",
      threshold: 0,
      limit_usd: "5",
      blocked: false,
    });
    expect(Number(got[0]!.forecast_usd)).toBeGreaterThan(5);
    expect(Number(got[0]!.forecast_low_usd)).toBeLessThanOrEqual(Number(got[0]!.forecast_usd));
  });

  it("negative control: without the claim row each tracker delivers its own", async () => {
    const got = (await deliveries("twice.db", false)).filter((a) => a.type === "budget.forecast");
    expect(got.map((a) => a.budget_id).sort()).toEqual(["half", "half", "tight", "tight"]);
  });
});
