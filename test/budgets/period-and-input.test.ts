import { describe, expect, it } from "vitest";
import { TokenLedgerConfigError, parseBudget, periodWindow } from "tokenledger";

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe("budget periods come from the event time in the budget's zone", () => {
  it("a New York day across the spring DST change is 23 hours, from local midnight", () => {
    const w = periodWindow(at("2026-03-08T12:00:00Z"), "day", "America/New_York");
    expect(w.key).toBe("2026-03-08");
    expect(iso(w.start)).toBe("2026-03-08T05:00:00.000Z");
    expect(iso(w.end)).toBe("2026-03-09T04:00:00.000Z");
  });

  it("a Berlin day across the autumn DST change is 25 hours", () => {
    const w = periodWindow(at("2026-10-25T12:00:00Z"), "day", "Europe/Berlin");
    expect((w.end - w.start) / 3_600_000).toBe(25);
  });

  it("a DST week in New York: Sunday 23:00 local still belongs to the week that started Monday", () => {
    const w = periodWindow(at("2026-03-09T03:00:00Z"), "week", "America/New_York");
    expect(w.key).toBe("2026-W03-02");
    expect(iso(w.start)).toBe("2026-03-02T05:00:00.000Z"); // EST
    expect(iso(w.end)).toBe("2026-03-09T04:00:00.000Z"); // EDT
    const next = periodWindow(at("2026-03-09T04:00:00Z"), "week", "America/New_York");
    expect(next.key).toBe("2026-W03-09");
  });

  it("a configured week start (Sunday) moves the boundary", () => {
    const w = periodWindow(at("2026-03-09T03:00:00Z"), "week", "America/New_York", 7);
    expect(w.key).toBe("2026-W03-08");
  });

  it("Dec→Jan: 23:30 UTC on Dec 31 is already January in Berlin", () => {
    const w = periodWindow(at("2026-12-31T23:30:00Z"), "month", "Europe/Berlin");
    expect(w.key).toBe("2027-01");
    expect(iso(w.start)).toBe("2026-12-31T23:00:00.000Z");
    expect(periodWindow(at("2026-12-31T22:59:59Z"), "month", "Europe/Berlin").key).toBe("2026-12");
  });
});

describe("bad budget input is refused naming the field", () => {
  const ok = { scope: "team", scopeId: "a", period: "month", amountUsd: "10" };
  it.each([
    [{ ...ok, amountUsd: "-1" }, "amountUsd"],
    [{ ...ok, amountUsd: 1e-7 }, "amountUsd"],
    [{ ...ok, scope: "galaxy" }, "scope"],
    [{ ...ok, action: "explode" }, "action"],
    [{ ...ok, timeZone: "Mars/Olympus" }, "timeZone"],
    [{ ...ok, weekStart: 8 }, "weekStart"],
    [{ ...ok, thresholds: [50, 120] }, "thresholds"],
    [{ ...ok, scopeId: undefined }, "scopeId"],
    [{ ...ok, action: "downgrade" }, "downgradeMap"],
    [{ ...ok, action: "rate_limit", rateLimit: { usdPerMinute: "-0.5" } }, "rateLimit.usdPerMinute"],
    [{ ...ok, action: "rate_limit", rateLimit: { usdPerMinute: "0.0000001" } }, "rateLimit.usdPerMinute"],
    [{ ...ok, action: "rate_limit", rateLimit: { usdPerMinute: "1e-3" } }, "rateLimit.usdPerMinute"],
    [{ ...ok, action: "rate_limit", rateLimit: { tokensPerMinute: 1.5 } }, "rateLimit.tokensPerMinute"],
  ])("%j → %s", (input, field) => {
    expect(() => parseBudget(input)).toThrow(TokenLedgerConfigError);
    expect(() => parseBudget(input)).toThrow(`budget ${field}:`);
  });

  it("amounts stay exact decimals; thresholds default to 50/75/90/100", () => {
    const b = parseBudget({ ...ok, amountUsd: "12.3400" });
    expect(b.amountUsd).toBe("12.34");
    expect(b.thresholds).toEqual([50, 75, 90, 100]);
    const r = parseBudget({
      ...ok,
      action: "rate_limit",
      rateLimit: { usdPerMinute: 0.5, requestsPerMinute: 9 },
    });
    expect(r.rateLimit).toEqual({ usdPerMinute: "0.5", requestsPerMinute: 9 });
  });
});
