import { describe, expect, it } from "vitest";
import { detectAnomalies } from "../../src/advice/anomalies.js";
import { calendarDays, type DailyPoint } from "../../src/advice/daily-series.js";

/** A gap-free series from 2026-10-01, one value per day. */
function series(values: readonly (number | string)[]): DailyPoint[] {
  const days = calendarDays("2026-10-01", "2026-12-31");
  return values.map((v, i) => ({ date: days[i]!, costUsd: String(v) }));
}
const flagged = (s: DailyPoint[]) =>
  detectAnomalies(s)
    .filter((p) => p.isAnomaly)
    .map((p) => p.date);
/** Deterministic ±10 % wiggle around 20 USD a day. */
const noisy = (n: number) => Array.from({ length: n }, (_, i) => (20 + ((i * 7) % 5) - 2).toFixed(2));

describe("detectAnomalies", () => {
  it("flat spend never alerts", () => {
    expect(flagged(series(Array(60).fill("12.50")))).toEqual([]);
  });

  it("ordinary day-to-day noise never alerts", () => {
    expect(flagged(series(noisy(60)))).toEqual([]);
  });

  it("weekday/weekend pattern: weekend dips are not anomalies", () => {
    const v = Array.from({ length: 56 }, (_, i) => (i % 7 >= 5 ? "2" : "10"));
    expect(flagged(series(v))).toEqual([]);
  });

  it("a single spike is flagged on its day, with expected, bounds and impact", () => {
    const v = noisy(40);
    v[35] = "95";
    const points = detectAnomalies(series(v));
    const hits = points.filter((p) => p.isAnomaly);
    expect(hits.map((p) => p.date)).toEqual(["2026-11-05"]);
    const hit = hits[0]!;
    expect(hit.method).toBe("mad");
    expect(Number(hit.expected)).toBeGreaterThanOrEqual(18);
    expect(Number(hit.expected)).toBeLessThanOrEqual(22);
    expect(Number(hit.upper)).toBeLessThan(95);
    expect(hit.impactUsd).toBe(String(95 - Number(hit.expected)));
    expect(hit.zScore!).toBeGreaterThan(3.5);
    // the day after returns to normal: not flagged, the spike does not poison the median
    expect(points.find((p) => p.date === "2026-11-06")!.isAnomaly).toBe(false);
  });

  it("a spike on a perfectly flat baseline is flagged (MAD 0, flat fallback)", () => {
    const v: string[] = Array(30).fill("10");
    v[29] = "40";
    const last = detectAnomalies(series(v)).at(-1)!;
    expect(last).toMatchObject({
      isAnomaly: true,
      method: "flat",
      expected: "10",
      impactUsd: "30",
      zScore: null,
    });
  });

  it("MAD 0 with a few deviating days falls back to the mean absolute deviation", () => {
    const v: string[] = Array(28).fill("10");
    v[3] = "12";
    v[10] = "8";
    v[27] = "30";
    const last = detectAnomalies(series(v)).at(-1)!;
    expect(last.method).toBe("mean_ad");
    expect(last.isAnomaly).toBe(true);
  });

  it("a statistically large but cheap spike stays quiet (dollar floor)", () => {
    const v = Array(30).fill("0.10");
    v[29] = "1.00";
    expect(flagged(series(v))).toEqual([]);
    // negative control: the same series is flagged once the dollar floor allows it
    expect(detectAnomalies(series(v), { minImpactUsd: "0.5" }).at(-1)!.isAnomaly).toBe(true);
  });

  it("a spike that is small relative to the baseline stays quiet (percent floor)", () => {
    const v = Array(30).fill("1000");
    v[29] = "1100";
    expect(flagged(series(v))).toEqual([]);
  });

  it("sparse history never alerts: days before minHistoryDays of spend are not judged", () => {
    const v = [0, 0, 0, 5, 5, 5, 5, 400];
    const points = detectAnomalies(series(v));
    expect(points).toEqual([]);
    expect(detectAnomalies(series(Array(10).fill(0)))).toEqual([]);
  });

  it("rejects a window shorter than the minimum history", () => {
    expect(() => detectAnomalies(series([1]), { windowDays: 5, minHistoryDays: 7 })).toThrow(/windowDays/);
  });
});

describe("detectAnomalies from", () => {
  it("judges only days from `from`, with the earlier days still as baseline", () => {
    const v = noisy(40);
    v[35] = "95";
    const points = detectAnomalies(series(v), { from: "2026-11-01" });
    expect(points[0]!.date).toBe("2026-11-01");
    expect(points.filter((p) => p.isAnomaly).map((p) => p.date)).toEqual(["2026-11-05"]);
  });
});

describe("detectAnomalies anomaliesOnly", () => {
  it("flags exactly the days the full evaluation flags, on every synthetic series", () => {
    const spike = noisy(40);
    spike[35] = "95";
    const flat: string[] = Array(30).fill("10");
    flat[29] = "40";
    const edge = noisy(40);
    edge[30] = "30"; // near the guards
    const step = [...Array(20).fill("10"), ...Array(20).fill("40")];
    for (const v of [spike, flat, edge, step, noisy(60), Array(30).fill("0.10")]) {
      const full = detectAnomalies(series(v)).filter((p) => p.isAnomaly);
      expect(detectAnomalies(series(v), { anomaliesOnly: true })).toEqual(full);
    }
  });
});
