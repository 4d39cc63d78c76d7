import { describe, expect, it } from "vitest";
import { formatUsd, roundDecimal } from "../../src/server/dashboard/client/money.js";

describe("dashboard money formatting (on the decimal string, no float)", () => {
  it("rounds half-up at cents and groups thousands", () => {
    expect(formatUsd("1234567.125")).toBe("$1,234,567.13");
    expect(formatUsd("0.994999999999")).toBe("$0.99");
    expect(formatUsd("9.995")).toBe("$10.00");
    expect(formatUsd("12")).toBe("$12.00");
    expect(formatUsd("-3.456")).toBe("-$3.46");
  });

  it("keeps digits that a float would lose", () => {
    // 2^53 + 1 dollars and a fraction: Number() would print ...992.
    expect(formatUsd("9007199254740993.105")).toBe("$9,007,199,254,740,993.11");
  });

  it("shows sub-cent amounts with up to six decimals, and null as a dash", () => {
    expect(formatUsd("0.000123456")).toBe("$0.000123");
    expect(formatUsd("0")).toBe("$0.00");
    expect(formatUsd(null)).toBe("—");
    expect(roundDecimal("0.0000005", 6)).toBe("0.000001");
  });
});
