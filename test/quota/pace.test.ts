import { describe, expect, it } from "vitest";
import { pace } from "../../src/quota/pace.js";
import type { QuotaSnapshot } from "../../src/quota/types.js";

const s = (used: string, at: string): QuotaSnapshot => ({
  provider: "copilot",
  accountId: "1",
  window: "premium",
  used,
  limit: "300",
  unit: "requests",
  unlimited: false,
  resetAt: "2027-01-01T00:00:00.000Z",
  source: "t",
  note: null,
  fetchedAt: new Date(at).toISOString(),
});

describe("pace", () => {
  const now = new Date("2026-12-16T12:00:00Z"); // half of December gone
  it("on pace near the elapsed share; reserve below it", () => {
    expect(pace(s("150", now.toISOString()), now).state).toBe("on_pace");
    expect(pace(s("60", now.toISOString()), now).state).toBe("reserve");
  });

  it("deficit with the moment it runs out, at the recent rate from stored history when it spans an hour", () => {
    // 240 used by mid-month: 15.5 days at the window rate would leave it short of the reset.
    const fromWindow = pace(s("240", now.toISOString()), now);
    expect(fromWindow.state).toBe("deficit");
    // The last 10 hours used 40 requests: 4/h, so the 60 left last 15 h.
    const history = [s("200", "2026-12-16T02:00:00Z"), s("240", now.toISOString())];
    const recent = pace(s("240", now.toISOString()), now, history);
    expect(recent.state).toBe("deficit");
    expect(recent.runsOutAt!.toISOString()).toBe("2026-12-17T03:00:00.000Z");
  });

  it("unknown in the first 3 % of the window, without a limit, or when used is unknown", () => {
    expect(pace(s("10", "2026-12-01T12:00:00Z"), new Date("2026-12-01T12:00:00Z")).state).toBe("unknown");
    expect(pace({ ...s("1", now.toISOString()), limit: null }, now).state).toBe("unknown");
    expect(pace({ ...s("1", now.toISOString()), used: null }, now).state).toBe("unknown");
  });
});
