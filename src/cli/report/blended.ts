import type { Dimension, RollupMeasures, RollupRow, TimeBucket } from "../../core/query.js";
import type { Subscription } from "../../config/schema.js";
import { Dec } from "../format/decimal.js";
import { usdPerMTok } from "../format/money.js";
import { addDays, calendarDate, daysInMonth, weekStart } from "../time.js";
import { emptyMeasures } from "./measures.js";

export interface BlendedFields {
  /** The share of flat-rate subscriptions falling in this row's period, prorated by day. */
  readonly subscriptionCostUsd: string;
  /** Variable (metered) cost plus subscription cost. */
  readonly totalCostUsd: string;
  /** totalCostUsd per million tokens of this row's real token mix; null without tokens. */
  readonly blendedUsdPerMTok: string | null;
}

export type BlendedRow = RollupRow & BlendedFields;

export interface BlendInput {
  readonly rows: readonly RollupRow[];
  readonly totals: RollupMeasures;
  readonly bucket: Extract<TimeBucket, "day" | "week" | "month">;
  readonly groupBy: readonly Dimension[];
  readonly subscriptions: readonly Subscription[];
  readonly timeZone: string;
  readonly since?: Date;
  /** Exclusive. */
  readonly until?: Date;
  readonly now?: Date;
}

export interface BlendResult {
  readonly rows: BlendedRow[];
  readonly totals: RollupMeasures & BlendedFields;
  /** Subscriptions that could not be placed in this grouping. */
  readonly skipped: readonly string[];
}

function scopeOf(s: Subscription): { dim: Dimension; value: string } {
  return s.provider !== undefined ? { dim: "provider", value: s.provider } : { dim: "app", value: s.tool! };
}

function periodKey(day: string, bucket: BlendInput["bucket"]): string {
  if (bucket === "day") return day;
  if (bucket === "week") return weekStart(day);
  return day.slice(0, 7);
}

/**
 * Spread each subscription over the report's periods: a day costs usdPerMonth × seats / days in that
 * month, so a daily report never charges the whole month to one day and a full month adds up exactly.
 * Days are counted per (period, month) and multiplied once, so no rounding accumulates.
 */
export function blendSubscriptions(input: BlendInput): BlendResult {
  const { rows, bucket, groupBy, timeZone } = input;
  const now = input.now ?? new Date();
  const skipped: string[] = [];
  const earliestRow = rows.reduce<string | undefined>(
    (min, r) => (r.period && (!min || r.period < min) ? r.period : min),
    undefined,
  );
  const firstDay = input.since
    ? calendarDate(input.since, timeZone)
    : earliestRow
      ? firstDayOf(earliestRow)
      : calendarDate(now, timeZone);
  const lastDay = calendarDate(new Date((input.until ?? now).getTime() - (input.until ? 1 : 0)), timeZone);

  // (period, scope value, year-month) → days billed
  const days = new Map<
    string,
    { period: string; dim: Dimension; value: string; usdMonth: Dec; dim_days: number; monthDays: number }
  >();
  for (const sub of input.subscriptions) {
    const scope = scopeOf(sub);
    if (groupBy.length > 0 && !(groupBy.length === 1 && groupBy[0] === scope.dim)) {
      skipped.push(sub.name);
      continue;
    }
    const from = sub.start && sub.start > firstDay ? sub.start : firstDay;
    const to = sub.end && sub.end < lastDay ? sub.end : lastDay;
    const monthly = new Dec(sub.usdPerMonth).times(sub.seats);
    for (let day = from; day <= to; day = addDays(day, 1)) {
      const period = periodKey(day, bucket);
      const month = day.slice(0, 7);
      const key = `${period}\u0000${scope.dim}\u0000${scope.value}\u0000${month}\u0000${sub.name}`;
      const entry = days.get(key);
      if (entry) entry.dim_days += 1;
      else {
        const [y, m] = month.split("-").map(Number) as [number, number];
        days.set(key, {
          period,
          dim: scope.dim,
          value: scope.value,
          usdMonth: monthly,
          dim_days: 1,
          monthDays: daysInMonth(y, m),
        });
      }
    }
  }

  const byRow = new Map<string, Dec>();
  const rowKey = (period: string | undefined, value: string | null | undefined) =>
    `${period ?? ""}\u0000${value ?? ""}`;
  const extraRows: RollupRow[] = [];
  const index = new Map<string, RollupRow>();
  const scopeDim = groupBy[0];
  for (const r of rows) index.set(rowKey(r.period, scopeDim ? r[scopeDim] : ""), r);
  for (const d of days.values()) {
    const value = scopeDim ? d.value : "";
    const key = rowKey(d.period, value);
    if (!index.has(key)) {
      const row: RollupRow = {
        period: d.period,
        ...(scopeDim ? { [scopeDim]: d.value } : {}),
        ...emptyMeasures(),
      };
      index.set(key, row);
      extraRows.push(row);
    }
    byRow.set(key, (byRow.get(key) ?? new Dec(0)).plus(d.usdMonth.times(d.dim_days).div(d.monthDays)));
  }

  let subTotal = new Dec(0);
  const blend = <R extends RollupMeasures>(row: R, sub: Dec): R & BlendedFields => {
    const subscription = sub.toDecimalPlaces(12);
    const total = subscription.plus(row.costUsd);
    return {
      ...row,
      subscriptionCostUsd: subscription.toString(),
      totalCostUsd: total.toString(),
      // Nothing known to blend when every event of the row is unpriced and no plan covers it.
      blendedUsdPerMTok:
        row.events > 0 && row.unpricedEvents === row.events && subscription.isZero()
          ? null
          : usdPerMTok(total.toString(), row.totalTokens),
    };
  };
  const out = [...rows, ...extraRows]
    .map((r) => {
      const sub = byRow.get(rowKey(r.period, scopeDim ? r[scopeDim] : "")) ?? new Dec(0);
      subTotal = subTotal.plus(sub.toDecimalPlaces(12));
      return blend(r, sub);
    })
    .sort((a, b) => ((a.period ?? "") < (b.period ?? "") ? -1 : (a.period ?? "") > (b.period ?? "") ? 1 : 0));
  return { rows: out, totals: blend(input.totals, subTotal), skipped };
}

function firstDayOf(period: string): string {
  return period.length === 7 ? `${period}-01` : period.slice(0, 10);
}
