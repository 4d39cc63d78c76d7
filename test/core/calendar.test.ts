import { describe, expect, it } from "vitest";
import { addDays, periodBounds, zonedDate, zonedInstant, zonedMidnight } from "../../src/core/calendar.js";

const iso = (ms: number | Date) => new Date(ms).toISOString();
const HOUR = 3_600_000;

describe("zonedMidnight: the instant a local day starts", () => {
  it("America/New_York: EST and EDT midnights; the DST days are 23 and 25 hours long", () => {
    expect(iso(zonedMidnight(2026, 3, 8, "America/New_York"))).toBe("2026-03-08T05:00:00.000Z");
    expect(iso(zonedMidnight(2026, 3, 9, "America/New_York"))).toBe("2026-03-09T04:00:00.000Z");
    const spring = periodBounds(Date.parse("2026-03-08T12:00:00Z"), "day", "America/New_York");
    expect((spring.end - spring.start) / HOUR).toBe(23);
    const fall = periodBounds(Date.parse("2026-11-01T12:00:00Z"), "day", "America/New_York");
    expect((fall.end - fall.start) / HOUR).toBe(25);
  });

  it("Europe/Berlin: CET and CEST; the March day is 23 hours, the October day 25", () => {
    expect(iso(zonedMidnight(2026, 3, 29, "Europe/Berlin"))).toBe("2026-03-28T23:00:00.000Z");
    expect(iso(zonedMidnight(2026, 3, 30, "Europe/Berlin"))).toBe("2026-03-29T22:00:00.000Z");
    const oct = periodBounds(Date.parse("2026-10-25T12:00:00Z"), "day", "Europe/Berlin");
    expect((oct.end - oct.start) / HOUR).toBe(25);
  });

  it("Asia/Kolkata (+5:30): a half-hour offset", () => {
    expect(iso(zonedMidnight(2026, 1, 15, "Asia/Kolkata"))).toBe("2026-01-14T18:30:00.000Z");
    expect(zonedDate(Date.parse("2026-01-14T18:29:59Z"), "Asia/Kolkata")).toEqual({
      year: 2026,
      month: 1,
      day: 14,
    });
    expect(zonedDate(Date.parse("2026-01-14T18:30:00Z"), "Asia/Kolkata")).toEqual({
      year: 2026,
      month: 1,
      day: 15,
    });
  });

  it("a midnight skipped by DST (America/Santiago, 2026-09-06) starts the day at 01:00, never on the day before", () => {
    const start = zonedMidnight(2026, 9, 6, "America/Santiago");
    expect(zonedDate(start.getTime(), "America/Santiago")).toEqual({ year: 2026, month: 9, day: 6 });
    expect(iso(start)).toBe("2026-09-06T04:00:00.000Z");
  });

  it("out-of-range parts roll over like Date.UTC (day 0, month 13)", () => {
    expect(iso(zonedMidnight(2026, 3, 0, "UTC"))).toBe("2026-02-28T00:00:00.000Z");
    expect(iso(zonedMidnight(2025, 13, 1, "UTC"))).toBe("2026-01-01T00:00:00.000Z");
  });
});

describe("zonedInstant: ambiguous wall times", () => {
  it("fall-back overlap (01:30 on 2026-11-01, New York) resolves to the earlier instant (EDT)", () => {
    const w = { year: 2026, month: 11, day: 1, hour: 1, minute: 30, second: 0 };
    expect(iso(zonedInstant(w, "America/New_York"))).toBe("2026-11-01T05:30:00.000Z");
  });
  it("spring-forward gap (02:30 on 2026-03-08, New York) shifts forward to 03:30 EDT", () => {
    const w = { year: 2026, month: 3, day: 8, hour: 2, minute: 30, second: 0 };
    expect(iso(zonedInstant(w, "America/New_York"))).toBe("2026-03-08T07:30:00.000Z");
  });
});

describe("periodBounds: days, weeks and months as real instants", () => {
  it("December → January: the month and the week that cross the year end", () => {
    const at = Date.parse("2026-12-31T20:00:00Z");
    const month = periodBounds(at, "month", "Europe/Berlin");
    expect(month.first).toEqual({ year: 2026, month: 12, day: 1 });
    expect(iso(month.end)).toBe("2026-12-31T23:00:00.000Z");
    const week = periodBounds(at, "week", "UTC"); // Thursday
    expect(iso(week.start)).toBe("2026-12-28T00:00:00.000Z");
    expect(iso(week.end)).toBe("2027-01-04T00:00:00.000Z");
    // 23:30 on Dec 31 in Berlin is already January 1st there.
    expect(periodBounds(Date.parse("2026-12-31T23:30:00Z"), "month", "Europe/Berlin").first).toEqual({
      year: 2027,
      month: 1,
      day: 1,
    });
  });

  it("weeks start on the chosen ISO weekday (7 = Sunday)", () => {
    const at = Date.parse("2026-03-11T12:00:00Z"); // Wednesday
    expect(periodBounds(at, "week", "UTC", 7).first).toEqual({ year: 2026, month: 3, day: 8 });
    expect(periodBounds(at, "week", "UTC").first).toEqual({ year: 2026, month: 3, day: 9 });
  });

  it("addDays crosses month and year ends", () => {
    expect(addDays({ year: 2026, month: 12, day: 31 }, 1)).toEqual({ year: 2027, month: 1, day: 1 });
    expect(addDays({ year: 2024, month: 3, day: 1 }, -1)).toEqual({ year: 2024, month: 2, day: 29 });
  });
});
