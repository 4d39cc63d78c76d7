import { describe, expect, it } from "vitest";
import { memoryStorage } from "tokenledger/memory";
import { costBy, costTotals, monthEndProjection, topN } from "../../src/reports/index.js";
import { ledgerEvent } from "../contract/ledger-events.js";

describe("report helpers", () => {
  it("totals, groups and ranks over any StorageAdapter", async () => {
    const s = memoryStorage();
    await s.insertBatch([
      ledgerEvent({ userId: "a", costUsd: "0.1" }),
      ledgerEvent({ userId: "b", costUsd: "0.2" }),
      ledgerEvent({ userId: "b", costUsd: "0.000000000001" }),
      ledgerEvent({ userId: "c", costUsd: null, unpriced: true }),
    ]);
    expect((await costTotals(s)).costUsd).toBe("0.300000000001");
    expect((await costBy(s, ["user"])).map((r) => [r.user, r.costUsd])).toEqual([
      ["b", "0.200000000001"],
      ["a", "0.1"],
      ["c", "0"],
    ]);
    expect((await topN(s, "user", 1)).map((r) => r.user)).toEqual(["b"]);
    await expect(topN(s, "user", 0)).rejects.toThrow(/n must be a positive integer/);
  });

  it("projects month end from the days elapsed in the zone, exactly", async () => {
    const s = memoryStorage();
    await s.insertBatch([
      ledgerEvent({ at: "2026-10-31T23:00:00Z", costUsd: "100" }), // Oct 31 in New York, Nov 1 in Tokyo
      ledgerEvent({ at: "2026-11-01T05:00:00Z", costUsd: "1" }), // Nov 1 in both
      ledgerEvent({ at: "2026-11-21T12:00:00Z", costUsd: "2.3" }),
    ]);
    const p = await monthEndProjection(s, {
      timeZone: "America/New_York",
      now: new Date("2026-11-22T12:00:00Z"),
    });
    // 3.3 spent over 22 days → 0.15/day × 8 remaining days = 1.2 → 4.5
    expect(p).toMatchObject({
      month: "2026-11",
      spentUsd: "3.3",
      elapsedDays: 22,
      remainingDays: 8,
      dailyAverageUsd: "0.15",
      projectedUsd: "4.5",
    });
    const tokyo = await monthEndProjection(s, {
      timeZone: "Asia/Tokyo",
      now: new Date("2026-11-22T12:00:00Z"),
    });
    expect(tokyo.spentUsd).toBe("103.3"); // Oct 31 23:00Z is Nov 1 08:00 in Tokyo
    await expect(monthEndProjection(s, { timeZone: "Nope/Zone" })).rejects.toThrow(/timeZone "Nope\/Zone"/);
  });
});
