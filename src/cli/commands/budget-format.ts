import { TokenLedgerConfigError } from "../../core/errors.js";
import type { BudgetStatus } from "../../budgets/status.js";
import type { Budget, RateLimit } from "../../budgets/types.js";

/** Options of `tokenledger budget set` as commander hands them over. */
export interface SetOptions {
  id?: string;
  scope: string;
  scopeId?: string;
  period: string;
  amount: string;
  action?: string;
  tz?: string;
  weekStart?: string;
  start?: string;
  end?: string;
  thresholds?: string;
  downgrade?: string;
  requestsPerMinute?: string;
  tokensPerMinute?: string;
  usdPerMinute?: string;
  json?: boolean;
}

function perMinute(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new TokenLedgerConfigError(`${flag}: ${JSON.stringify(v)} is not a positive whole number`);
  return n;
}

export function thresholdList(s: string): number[] {
  return s.split(",").map((x) => {
    const n = Number(x.trim());
    if (x.trim() === "" || !Number.isFinite(n))
      throw new TokenLedgerConfigError(`--thresholds: ${JSON.stringify(x)} is not a number`);
    return n;
  });
}

export function downgradeMap(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of s.split(",")) {
    const [from, to] = pair.split("=").map((x) => x.trim());
    if (!from || !to)
      throw new TokenLedgerConfigError(`--downgrade: ${JSON.stringify(pair)} is not model=cheaper-model`);
    out[from] = to;
  }
  return out;
}

/** The `rateLimit` of `--requests-per-minute` / `--tokens-per-minute` / `--usd-per-minute` (validated by parseBudget). */
export function rateOptions(o: SetOptions): { rateLimit?: RateLimit } {
  const rpm = perMinute("--requests-per-minute", o.requestsPerMinute);
  const tpm = perMinute("--tokens-per-minute", o.tokensPerMinute);
  const usd = o.usdPerMinute;
  if (rpm === undefined && tpm === undefined && usd === undefined) return {};
  return {
    rateLimit: {
      ...(rpm ? { requestsPerMinute: rpm } : {}),
      ...(tpm ? { tokensPerMinute: tpm } : {}),
      ...(usd !== undefined ? { usdPerMinute: usd } : {}),
    },
  };
}

const rate = (b: Budget) =>
  b.rateLimit
    ? ` (${[
        b.rateLimit.requestsPerMinute && `${b.rateLimit.requestsPerMinute} req/min`,
        b.rateLimit.tokensPerMinute && `${b.rateLimit.tokensPerMinute} tok/min`,
        b.rateLimit.usdPerMinute && `$${b.rateLimit.usdPerMinute}/min`,
      ]
        .filter(Boolean)
        .join(", ")})`
    : "";

/** One budget on one line (`budget list`, `budget set`). */
export const line = (b: Budget) =>
  `${b.id}  ${b.scope}${b.scope === "org" ? "" : `=${b.scopeId}`}  ${b.period}${b.start ? ` ${b.start}..${b.end}` : ""} (${b.timeZone})  $${b.amountUsd}  ${b.action}${rate(b)}  alerts ${b.thresholds.join("/")}%${b.managedBy ? `  [from ${b.managedBy}]` : ""}`;

function bar(percent: number, width = 20): string {
  const filled = Math.max(0, Math.min(width, Math.round((percent / 100) * width)));
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}]`;
}

function forecastText(r: BudgetStatus): string {
  const f = r.forecast;
  if (!f) return "";
  if (f.status === "insufficient_data")
    return `  forecast: insufficient data (${f.historyDays} of 3 days of spend)`;
  return `  forecast $${f.forecastUsd} (80%: $${f.lowUsd}–$${f.highUsd})`;
}

/** One `budget status` line; `tty` adds a bar. */
export const statusLine = (r: BudgetStatus, tty: boolean) =>
  `${r.budget.id}  ${r.periodKey}  spent $${r.spentUsd} + reserved $${r.reservedUsd} of $${r.budget.amountUsd}` +
  `  (${r.percentUsed}%)${tty ? ` ${bar(r.percentUsed)}` : ""}  remaining $${r.remainingUsd}  until ${r.periodEnd}` +
  `${forecastText(r)}\n`;
