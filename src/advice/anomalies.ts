import { Decimal } from "decimal.js";
import { Dec } from "../core/money.js";
import type { DailyPoint } from "./daily-series.js";

type D = InstanceType<typeof Dec>;

export interface AnomalyOptions {
  /** Trailing days forming the baseline; default 28. */
  readonly windowDays?: number;
  /** Days of history (since the scope's first spend) needed before any day is judged; default 7. */
  readonly minHistoryDays?: number;
  /** Modified z-score to pass; default 3.5. */
  readonly zThreshold?: number;
  /** Impact (actual − expected) must reach this many USD; default "5". */
  readonly minImpactUsd?: string;
  /** ... and this fraction of the expected cost; default 0.5 (50 %). */
  readonly minImpactFraction?: number;
  /** Judge only days on or after this `YYYY-MM-DD` (earlier days still form the baseline). */
  readonly from?: string;
  /**
   * Return only anomalous days. Clear negatives are then decided on float copies and skip the exact decimal work;
   * anything near a threshold is still decided exactly.
   */
  readonly anomaliesOnly?: boolean;
}

export interface AnomalyPoint {
  readonly date: string;
  readonly actual: string;
  /** Median of the baseline. */
  readonly expected: string;
  readonly lower: string;
  readonly upper: string;
  /** Modified z-score (3 decimals); null when the baseline is perfectly flat (method `flat`). */
  readonly zScore: number | null;
  readonly isAnomaly: boolean;
  /** actual − expected, USD. */
  readonly impactUsd: string;
  /** `mad`, `mean_ad` (MAD was 0) or `flat` (every baseline day equal). */
  readonly method: "mad" | "mean_ad" | "flat";
}

/** MAD → σ for normal data; MeanAD → σ (Iglewicz & Hoaglin's modified z-score). */
const MAD_K = new Dec("0.6745");
const MEAN_AD_K = new Dec("1.253314");

/**
 * Median of `idx` (positions into `values`), exact: the order comes from the float copies (cheap), the value from
 * the decimals (one or two of the actual values, so no float ever reaches a figure).
 */
function medianOf(idx: number[], key: (i: number) => number, exact: (i: number) => D): D {
  idx.sort((a, b) => key(a) - key(b));
  const mid = Math.floor(idx.length / 2);
  return idx.length % 2 === 1
    ? exact(idx[mid]!)
    : exact(idx[mid - 1]!)
        .plus(exact(idx[mid]!))
        .div(2);
}

/**
 * Judge each day of a gap-free daily series against the median and MAD of the trailing window before it. Days with
 * less than `minHistoryDays` of history (counted from the first day with spend) are not judged and not returned,
 * so a new or sparse scope never alerts. Only spikes are flagged: z above the threshold **and** the impact above
 * both the dollar and the percent floor. A MAD of 0 falls back to the mean absolute deviation.
 */
export function detectAnomalies(series: readonly DailyPoint[], options: AnomalyOptions = {}): AnomalyPoint[] {
  const t = thresholds(options);
  const values = series.map((p) => new Dec(p.costUsd));
  const nums = values.map((v) => v.toNumber());
  const first = values.findIndex((v) => v.gt(0));
  if (first < 0) return [];
  const out: AnomalyPoint[] = [];
  const startAt = Math.max(
    first + t.minHistory,
    options.from ? series.findIndex((p) => p.date >= options.from!) : 0,
  );
  if (startAt < 0) return [];
  for (let i = startAt; i < values.length; i++) {
    const lo = Math.max(first, i - t.windowDays);
    const base = Array.from({ length: i - lo }, (_, k) => lo + k);
    // The float pre-check only skips days far from every threshold; whatever it lets through is decided exactly.
    if (
      options.anomaliesOnly &&
      clearlyQuiet(
        nums,
        base,
        nums[i]!,
        t.threshold.toNumber(),
        t.minImpact.toNumber(),
        t.minFraction.toNumber(),
      )
    )
      continue;
    const point = judgeDay(series[i]!.date, values, nums, base, values[i]!, t);
    if (options.anomaliesOnly && !point.isAnomaly) continue;
    out.push(point);
  }
  return out;
}

interface Thresholds {
  readonly windowDays: number;
  readonly minHistory: number;
  readonly threshold: D;
  readonly minImpact: D;
  readonly minFraction: D;
}

/** The options with their defaults, as exact decimals; a window shorter than the history it needs is refused. */
function thresholds(options: AnomalyOptions): Thresholds {
  const windowDays = options.windowDays ?? 28;
  const minHistory = options.minHistoryDays ?? 7;
  if (!(windowDays >= minHistory && minHistory >= 3))
    throw new RangeError(
      `detectAnomalies: need windowDays ≥ minHistoryDays ≥ 3, got ${windowDays} and ${minHistory}`,
    );
  return {
    windowDays,
    minHistory,
    threshold: new Dec(options.zThreshold ?? 3.5),
    minImpact: new Dec(options.minImpactUsd ?? "5"),
    minFraction: new Dec(options.minImpactFraction ?? 0.5),
  };
}

/** One day judged exactly against its baseline days `base` (positions into `values`). */
function judgeDay(
  date: string,
  values: readonly D[],
  nums: readonly number[],
  base: number[],
  actual: D,
  t: Thresholds,
): AnomalyPoint {
  const m = medianOf(
    [...base],
    (j) => nums[j]!,
    (j) => values[j]!,
  );
  const mNum = m.toNumber();
  const dev = (j: number) => values[j]!.minus(m).abs();
  const mad = medianOf(base, (j) => Math.abs(nums[j]! - mNum), dev);
  let method: AnomalyPoint["method"];
  let sigma: D;
  if (mad.gt(0)) {
    method = "mad";
    sigma = mad.div(MAD_K);
  } else {
    // Over half the baseline days are equal (MAD 0): the mean deviation still sees the rest of the spread.
    const meanAd = base.reduce((sum, j) => sum.plus(dev(j)), new Dec(0)).div(base.length);
    method = meanAd.gt(0) ? "mean_ad" : "flat";
    sigma = meanAd.times(MEAN_AD_K);
  }
  const impact = actual.minus(m);
  // A perfectly flat baseline has no spread to scale by: any rise passes, the floors decide.
  const z = sigma.gt(0) ? impact.div(sigma) : null;
  const passesZ = z === null ? impact.gt(0) : z.gt(t.threshold);
  const isAnomaly = passesZ && impact.gte(t.minImpact) && impact.gte(m.times(t.minFraction));
  const band = sigma.times(t.threshold);
  return {
    date,
    actual: actual.toFixed(),
    expected: m.toFixed(),
    lower: Decimal.max(0, m.minus(band)).toFixed(),
    upper: m.plus(band).toFixed(),
    zScore: z === null ? null : Number(z.toFixed(3)),
    isAnomaly,
    impactUsd: impact.toFixed(),
    method,
  };
}

/** Float pre-check with a 1 % margin on every guard: true only when the day is far from any threshold. */
function clearlyQuiet(
  nums: readonly number[],
  base: readonly number[],
  actual: number,
  threshold: number,
  minImpact: number,
  minFraction: number,
): boolean {
  const xs = base.map((j) => nums[j]!).sort((a, b) => a - b);
  const mid = Math.floor(xs.length / 2);
  const m = xs.length % 2 ? xs[mid]! : (xs[mid - 1]! + xs[mid]!) / 2;
  const impact = actual - m;
  if (impact < minImpact * 0.99 - 1e-9 || impact < m * minFraction * 0.99 - 1e-9) return true;
  const devs = xs.map((x) => Math.abs(x - m)).sort((a, b) => a - b);
  const mad = devs.length % 2 ? devs[mid]! : (devs[mid - 1]! + devs[mid]!) / 2;
  if (mad > 0) return (0.6745 * impact) / mad < threshold * 0.99;
  return false; // MAD 0: leave the fallbacks to the exact path
}
