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
  const skipped: string[] = [];
  const days = billedDays(input, skipped);
  const scopeDim = input.groupBy[0];
  const { byRow, extraRows } = placeOnRows(input.rows, days, scopeDim);
  let subTotal = new Dec(0);
  const out = [...input.rows, ...extraRows]
    .map((r) => {
      const sub = byRow.get(rowKey(r.period, scopeDim ? r[scopeDim] : "")) ?? new Dec(0);
      // The total adds the rounded row figures, so the totals row equals the sum of the rows shown.
      subTotal = subTotal.plus(sub.toDecimalPlaces(12));
      return blendRow(r, sub);
    })
    .sort((a, b) => ((a.period ?? "") < (b.period ?? "") ? -1 : (a.period ?? "") > (b.period ?? "") ? 1 : 0));
  return { rows: out, totals: blendRow(input.totals, subTotal), skipped };
}

/** Days a subscription is billed in one (period, scope value, calendar month). */
interface BilledDays {
  readonly period: string;
  readonly dim: Dimension;
  readonly value: string;
  readonly usdMonth: Dec;
  dim_days: number;
  readonly monthDays: number;
}

/**
 * The report's first and last calendar day in its time zone: `--since` (else the earliest row, else today) to
 * the day before `--until` (exclusive), else today.
 */
function reportDays(input: BlendInput, now: Date): { firstDay: string; lastDay: string } {
  const earliestRow = input.rows.reduce<string | undefined>(
    (min, r) => (r.period && (!min || r.period < min) ? r.period : min),
    undefined,
  );
  const firstDay = input.since
    ? calendarDate(input.since, input.timeZone)
    : earliestRow
      ? firstDayOf(earliestRow)
      : calendarDate(now, input.timeZone);
  // `until` is exclusive: a report up to midnight bills no day of its own after it.
  const lastDay = calendarDate(
    new Date((input.until ?? now).getTime() - (input.until ? 1 : 0)),
    input.timeZone,
  );
  return { firstDay, lastDay };
}

/** Count each subscription's active days per (period, scope, month); plans that cannot be placed go to `skipped`. */
function billedDays(input: BlendInput, skipped: string[]): Map<string, BilledDays> {
  const { firstDay, lastDay } = reportDays(input, input.now ?? new Date());
  const { groupBy, bucket } = input;
  const days = new Map<string, BilledDays>();
  for (const sub of input.subscriptions) {
    const scope = scopeOf(sub);
    // A plan is placed only on its own dimension (or on ungrouped rows): a per-model share would be invented.
    if (groupBy.length > 0 && !(groupBy.length === 1 && groupBy[0] === scope.dim)) {
      skipped.push(sub.name);
      continue;
    }
    // YYYY-MM-DD days compare as strings; a plan bills only inside both its own dates and the report's.
    const from = sub.start && sub.start > firstDay ? sub.start : firstDay;
    const to = sub.end && sub.end < lastDay ? sub.end : lastDay;
    const monthly = new Dec(sub.usdPerMonth).times(sub.seats);
    for (let day = from; day <= to; day = addDays(day, 1)) {
      const period = periodKey(day, bucket);
      const month = day.slice(0, 7);
      // NUL between the parts: no name from a config file contains it, so two keys cannot collide.
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
  return days;
}

const rowKey = (period: string | undefined, value: string | null | undefined) =>
  `${period ?? ""}\u0000${value ?? ""}`;

/**
 * Subscription cost per report row (exact, unrounded). A period with a plan but no usage gets a row of its own
 * with empty measures, so a month you paid for but did not use still shows.
 */
function placeOnRows(
  rows: readonly RollupRow[],
  days: ReadonlyMap<string, BilledDays>,
  scopeDim: Dimension | undefined,
): { byRow: Map<string, Dec>; extraRows: RollupRow[] } {
  const byRow = new Map<string, Dec>();
  const extraRows: RollupRow[] = [];
  const index = new Map<string, RollupRow>();
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
    // Days × monthly / days-in-month, multiplied once per (period, month): no per-day rounding accumulates.
    byRow.set(key, (byRow.get(key) ?? new Dec(0)).plus(d.usdMonth.times(d.dim_days).div(d.monthDays)));
  }
  return { byRow, extraRows };
}

/** A row's metered figures plus its subscription share (12 decimals, as stored costs), total and blended rate. */
function blendRow<R extends RollupMeasures>(row: R, sub: Dec): R & BlendedFields {
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
}

function firstDayOf(period: string): string {
  return period.length === 7 ? `${period}-01` : period.slice(0, 10);
}
