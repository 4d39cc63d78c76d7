import { describe, expect, it } from "vitest";
import { TargetBreaker } from "../../src/failover/breaker.js";
import { DEFAULT_POLICY } from "../../src/failover/policy.js";

const T0 = 1_000_000;

describe("TargetBreaker: when it opens", () => {
  it("error rate over 5 % opens only with at least 20 requests in the window (volume guard)", () => {
    const run = (total: number): string => {
      const b = new TargetBreaker(DEFAULT_POLICY);
      // 2 failures spread out (never 3 in a row), the rest successes, over 20 s
      for (let i = 0; i < total; i++) {
        const t = T0 + i * 1000;
        if (i % 9 === 4) b.failure(t, "server_error", null);
        else b.success(t);
      }
      return b.state;
    };
    expect(run(19)).toBe("closed"); // 2/19 = 10.5 % but under the volume guard
    const b = new TargetBreaker(DEFAULT_POLICY);
    for (let i = 0; i < 19; i++) b.success(T0 + i);
    b.failure(T0 + 20, "server_error", null); // 1/20 = 5 %: not over
    expect(b.state).toBe("closed");
    b.failure(T0 + 21, "server_error", null); // 2/21 = 9.5 %
    expect(b.state).toBe("open");
  });

  it("old requests leave the 60 s window", () => {
    const b = new TargetBreaker(DEFAULT_POLICY);
    for (let i = 0; i < 19; i++) b.success(T0 + i);
    b.failure(T0 + 61_000, "server_error", null);
    b.failure(T0 + 61_001, "server_error", null);
    expect(b.state).toBe("closed"); // only 2 requests in the current window
  });

  it("3 consecutive failures open it; a success in between resets the count", () => {
    const b = new TargetBreaker(DEFAULT_POLICY);
    b.failure(T0, "connection_error", null);
    b.failure(T0, "connection_error", null);
    b.success(T0);
    b.failure(T0, "connection_error", null);
    b.failure(T0, "connection_error", null);
    expect(b.state).toBe("closed");
    b.failure(T0, "connection_error", null);
    expect(b.state).toBe("open");
    expect(b.openUntil).toBe(T0 + 30_000);
  });

  it("a 429 opens it at once, for its Retry-After", () => {
    const b = new TargetBreaker(DEFAULT_POLICY);
    b.failure(T0, "rate_limited", 7_000);
    expect(b.state).toBe("open");
    expect(b.openUntil).toBe(T0 + 7_000);
  });

  it("p95 first byte over 5 s opens it once there are 10 samples", () => {
    const b = new TargetBreaker(DEFAULT_POLICY);
    for (let i = 0; i < 9; i++) b.firstByte(T0 + i, 6_000);
    expect(b.state).toBe("closed");
    b.firstByte(T0 + 10, 6_000);
    expect(b.state).toBe("open");
    const fast = new TargetBreaker(DEFAULT_POLICY);
    for (let i = 0; i < 30; i++) fast.firstByte(T0 + i, i === 25 ? 9_000 : 100);
    expect(fast.state).toBe("closed"); // one slow call in 26 (under 5 %) is not p95
  });
});

describe("TargetBreaker: recovery", () => {
  it("lets exactly one probe through after the cooldown; its first byte closes the breaker", () => {
    const b = new TargetBreaker(DEFAULT_POLICY);
    for (let i = 0; i < 3; i++) b.failure(T0, "server_error", null);
    expect(b.admit(T0 + 29_999)).toBe("reject");
    expect(b.admit(T0 + 30_000)).toBe("probe");
    expect(b.admit(T0 + 30_001)).toBe("reject"); // the probe is out
    b.firstByte(T0 + 30_100, 100);
    expect(b.state).toBe("closed");
    expect(b.admit(T0 + 30_200)).toBe("pass");
  });

  it("a failed probe doubles the cooldown, up to 5 minutes", () => {
    const b = new TargetBreaker(DEFAULT_POLICY);
    for (let i = 0; i < 3; i++) b.failure(T0, "server_error", null);
    let t = T0;
    const cooldowns: number[] = [];
    for (let i = 0; i < 6; i++) {
      t = b.openUntil as number;
      expect(b.admit(t)).toBe("probe");
      b.failure(t, "server_error", null);
      cooldowns.push((b.openUntil as number) - t);
    }
    expect(cooldowns).toEqual([60_000, 120_000, 240_000, 300_000, 300_000, 300_000]);
  });

  it("a probe the caller aborted frees the slot for the next call", () => {
    const b = new TargetBreaker(DEFAULT_POLICY);
    b.failure(T0, "rate_limited", 1_000);
    expect(b.admit(T0 + 1_000)).toBe("probe");
    b.release();
    expect(b.admit(T0 + 1_001)).toBe("probe");
  });
});
