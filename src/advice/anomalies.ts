import { Decimal } from "decimal.js";
import type { DailyPoint } from "./daily-series.js";

const Dec = Decimal.clone({ precision: 60 });
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

function median(values: readonly D[]): D {
  const s = [...values].sort((a, b) => a.cmp(b));
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : s[mid - 1]!.plus(s[mid]!).div(2);
}

/**
 * Judge each day of a gap-free daily series against the median and MAD of the trailing window before it. Days with
 * less than `minHistoryDays` of history (counted from the first day with spend) are not judged and not returned,
 * so a new or sparse scope never alerts. Only spikes are flagged: z above the threshold **and** the impact above
 * both the dollar and the percent floor. A MAD of 0 falls back to the mean absolute deviation.
 */
export function detectAnomalies(series: readonly DailyPoint[], options: AnomalyOptions = {}): AnomalyPoint[] {
  const windowDays = options.windowDays ?? 28;
  const minHistory = options.minHistoryDays ?? 7;
  const threshold = new Dec(options.zThreshold ?? 3.5);
  const minImpact = new Dec(options.minImpactUsd ?? "5");
  const minFraction = new Dec(options.minImpactFraction ?? 0.5);
  if (!(windowDays >= minHistory && minHistory >= 3))
    throw new RangeError(`detectAnomalies: need windowDays ≥ minHistoryDays ≥ 3, got ${windowDays} and ${minHistory}`);

  const values = series.map((p) => new Dec(p.costUsd));
  const first = values.findIndex((v) => v.gt(0));
  if (first < 0) return [];
  const out: AnomalyPoint[] = [];
  for (let i = first + minHistory; i < values.length; i++) {
    const base = values.slice(Math.max(first, i - windowDays), i);
    const actual = values[i]!;
    const m = median(base);
    const deviations = base.map((v) => v.minus(m).abs());
    const mad = median(deviations);
    let method: AnomalyPoint["method"];
    let sigma: D;
    if (mad.gt(0)) {
      method = "mad";
      sigma = mad.div(MAD_K);
    } else {
      const meanAd = deviations.reduce((s, v) => s.plus(v), new Dec(0)).div(deviations.length);
      method = meanAd.gt(0) ? "mean_ad" : "flat";
      sigma = meanAd.times(MEAN_AD_K);
    }
    const impact = actual.minus(m);
    // A perfectly flat baseline has no spread to scale by: any rise passes, the floors decide.
    const z = sigma.gt(0) ? impact.div(sigma) : null;
    const passesZ = z === null ? impact.gt(0) : z.gt(threshold);
    const isAnomaly = passesZ && impact.gte(minImpact) && impact.gte(m.times(minFraction));
    const band = sigma.times(threshold);
    out.push({
      date: series[i]!.date,
      actual: actual.toFixed(),
      expected: m.toFixed(),
      lower: Decimal.max(0, m.minus(band)).toFixed(),
      upper: m.plus(band).toFixed(),
      zScore: z === null ? null : Number(z.toFixed(3)),
      isAnomaly,
      impactUsd: impact.toFixed(),
      method,
    });
  }
  return out;
}
