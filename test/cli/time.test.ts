import { describe, expect, it } from "vitest";
import { resolveDateFlag } from "../../src/cli/flags.js";
import {
  addDays,
  calendarDate,
  daysInMonth,
  startOfDay,
  startOfHour,
  weekStart,
} from "../../src/cli/time.js";

describe("zone-aware dates for --since/--until and periods", () => {
  it("local midnight across DST changes", () => {
    expect(startOfDay("2026-03-29", "Europe/Paris").toISOString()).toBe("2026-03-28T23:00:00.000Z"); // still UTC+1 at midnight
    expect(startOfDay("2026-03-30", "Europe/Paris").toISOString()).toBe("2026-03-29T22:00:00.000Z"); // UTC+2 after the switch
    expect(startOfDay("2026-11-01", "America/New_York").toISOString()).toBe("2026-11-01T04:00:00.000Z");
    expect(startOfDay("2026-11-02", "America/New_York").toISOString()).toBe("2026-11-02T05:00:00.000Z");
    expect(startOfDay("2026-11-01", "Asia/Kolkata").toISOString()).toBe("2026-10-31T18:30:00.000Z");
  });

  it("--until as a date is inclusive (next local midnight); a time without offset is read in the zone", () => {
    expect(resolveDateFlag("2026-11-01", "Asia/Tokyo", true).toISOString()).toBe("2026-11-01T15:00:00.000Z");
    expect(resolveDateFlag("2026-11-01T09:30", "Europe/Paris", false).toISOString()).toBe(
      "2026-11-01T08:30:00.000Z",
    );
    expect(resolveDateFlag("2026-11-01T09:30:00Z", "Europe/Paris", false).toISOString()).toBe(
      "2026-11-01T09:30:00.000Z",
    );
  });

  it("calendar helpers", () => {
    expect(calendarDate(new Date("2026-11-01T23:30:00Z"), "Europe/Paris")).toBe("2026-11-02");
    expect(addDays("2026-02-28", 1)).toBe("2026-03-01");
    expect(daysInMonth(2028, 2)).toBe(29);
    expect(weekStart("2026-11-01")).toBe("2026-10-26"); // Sunday → Monday before
    expect(weekStart("2026-11-02")).toBe("2026-11-02");
    expect(startOfHour(new Date("2026-11-01T10:47:00Z"), "Asia/Kolkata").toISOString()).toBe(
      "2026-11-01T10:30:00.000Z",
    );
  });
});
