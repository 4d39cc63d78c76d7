import { randomUUID } from "node:crypto";
import { bedrockFamily } from "../usage/bedrock.js";
import { TokenLedgerConfigError } from "../core/errors.js";
import { isValidTimeZone } from "../core/time-zone.js";
import { Dec } from "../pricing/decimal.js";
import { localInstant, localParts } from "./custom-range.js";
import {
  BUDGET_ACTIONS,
  BUDGET_PERIODS,
  BUDGET_SCOPES,
  DEFAULT_THRESHOLDS,
  type Budget,
  type BudgetAction,
  type BudgetInput,
  type BudgetPeriod,
  type BudgetScope,
  type RateLimit,
  type WeekStart,
} from "./types.js";

const AMOUNT = /^\d+(\.\d+)?$/;
const ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** A budget definition was refused; `field` is the offending field (`timeZone`, `rateLimit.requestsPerMinute`). */
export class BudgetFieldError extends TokenLedgerConfigError {
  constructor(
    readonly field: string,
    readonly why: string,
  ) {
    super(`budget ${field}: ${why}`);
  }
}

function fail(field: string, why: string): never {
  throw new BudgetFieldError(field, why);
}

const LIMITS = "requestsPerMinute, tokensPerMinute and/or usdPerMinute";

/** USD per minute: a decimal of at least one micro-dollar (the limiter counts whole micro-dollars). */
function usdPerMinute(v: unknown): string {
  const s = typeof v === "number" ? String(v) : v;
  if (typeof s !== "string" || !AMOUNT.test(s.trim()))
    fail("rateLimit.usdPerMinute", `${JSON.stringify(v)} is not a decimal amount in USD (e.g. "0.50")`);
  const d = new Dec(s.trim());
  if (d.lt("0.000001")) fail("rateLimit.usdPerMinute", "must be at least 0.000001 (one micro-dollar)");
  return d.toFixed();
}

function rateLimit(action: BudgetAction, value: BudgetInput["rateLimit"]): RateLimit | undefined {
  if (value === undefined) {
    if (action === "rate_limit") fail("rateLimit", `action "rate_limit" needs ${LIMITS}`);
    return undefined;
  }
  if (value === null || typeof value !== "object") fail("rateLimit", "expected an object");
  const out: { requestsPerMinute?: number; tokensPerMinute?: number; usdPerMinute?: string } = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === "usdPerMinute") {
      out.usdPerMinute = usdPerMinute(v);
      continue;
    }
    if (k !== "requestsPerMinute" && k !== "tokensPerMinute")
      fail(`rateLimit.${k}`, `unknown field (use ${LIMITS})`);
    if (!Number.isSafeInteger(v) || (v as number) <= 0)
      fail(`rateLimit.${k}`, `${JSON.stringify(v)} is not a positive whole number`);
    out[k] = v as number;
  }
  if (Object.keys(out).length === 0) fail("rateLimit", `give ${LIMITS}`);
  return out;
}

/** `custom`: `start` and `end` are local dates/datetimes in `timeZone`, end (exclusive) after start. */
function customRange(
  period: BudgetPeriod,
  input: BudgetInput,
  timeZone: string,
): { start?: string; end?: string } {
  if (period !== "custom") {
    for (const f of ["start", "end"] as const)
      if (input[f] !== undefined) fail(f, `only a "custom" period has a ${f} (this one is "${period}")`);
    return {};
  }
  const range: { start?: string; end?: string } = {};
  for (const f of ["start", "end"] as const) {
    if (input[f] === undefined)
      fail(f, `period "custom" needs a ${f} date (e.g. 2026-03-01 or 2026-03-01T09:00)`);
    const parts = localParts(input[f]);
    if (typeof parts === "string") fail(f, parts);
    range[f] = input[f].trim();
  }
  if (localInstant(range.end!, timeZone) <= localInstant(range.start!, timeZone))
    fail("end", `${range.end} is not after start ${range.start} in ${timeZone} (end is exclusive)`);
  return range;
}

function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value))
    fail(field, `${JSON.stringify(value)} is not one of ${allowed.join(", ")}`);
  return value as T;
}

/** Decimal USD string, canonical (no float): "25", "0.5". Negative, NaN, exponent forms are refused. */
function amount(value: unknown): string {
  const s = typeof value === "number" ? String(value) : value;
  if (typeof s !== "string" || !AMOUNT.test(s.trim()))
    fail("amountUsd", `${JSON.stringify(value)} is not a non-negative decimal amount in USD (e.g. "25.00")`);
  const d = new Dec(s.trim());
  if (d.isZero()) fail("amountUsd", "must be greater than 0");
  return d.toFixed();
}

function thresholds(value: readonly number[] | undefined): number[] {
  if (value === undefined) return [...DEFAULT_THRESHOLDS];
  if (!Array.isArray(value) || value.length === 0) fail("thresholds", "give a non-empty list of percents");
  for (const t of value)
    if (typeof t !== "number" || !Number.isFinite(t) || t <= 0 || t > 100)
      fail("thresholds", `${JSON.stringify(t)} is out of range (0, 100]`);
  return [...new Set(value)].sort((a, b) => a - b);
}

/**
 * A downgrade only swaps the model id in the request, so both models must read the same request body. On
 * Bedrock each family has its own InvokeModel body (Anthropic messages vs Llama prompt vs Titan vs Nova), so a
 * map across families (or between a Bedrock id and a plain one) would send a body the model cannot read: refused
 * here, when the budget is defined, rather than as a provider 400 on the first over-budget call.
 */
function sameWireFormat(from: string, to: string): void {
  const a = bedrockFamily(from);
  const b = bedrockFamily(to);
  if (a !== b)
    fail(
      `downgradeMap.${from}`,
      `"${to}" is a different model family (${b}, not ${a}); a downgrade stays within one provider's wire format`,
    );
}

/** Validate and normalise one budget definition; every error names the field. */
export function parseBudget(input: BudgetInput): Budget {
  if (input === null || typeof input !== "object") fail("definition", "expected an object");
  const scope: BudgetScope = oneOf("scope", input.scope, BUDGET_SCOPES);
  const period: BudgetPeriod = oneOf("period", input.period, BUDGET_PERIODS);
  const action: BudgetAction = oneOf("action", input.action ?? "block", BUDGET_ACTIONS);
  const scopeId = scope === "org" ? (input.scopeId ?? "*") : input.scopeId;
  if (typeof scopeId !== "string" || scopeId === "")
    fail("scopeId", `scope "${scope}" needs the ${scope} id it applies to`);
  const timeZone = input.timeZone ?? "UTC";
  if (typeof timeZone !== "string" || !isValidTimeZone(timeZone))
    fail("timeZone", `${JSON.stringify(timeZone)} is not an IANA time zone (e.g. "Europe/Berlin")`);
  const weekStart = input.weekStart ?? 1;
  if (!Number.isInteger(weekStart) || weekStart < 1 || weekStart > 7)
    fail("weekStart", `${JSON.stringify(weekStart)} is not an ISO weekday 1 (Monday) … 7 (Sunday)`);
  const downgradeMap = input.downgradeMap ?? {};
  for (const [from, to] of Object.entries(downgradeMap)) {
    if (typeof to !== "string" || to === "") fail(`downgradeMap.${from}`, "must name a model");
    sameWireFormat(from, to);
  }
  if (action === "downgrade" && Object.keys(downgradeMap).length === 0)
    fail("downgradeMap", 'action "downgrade" needs a map of requested model → cheaper model');
  const id =
    input.id ?? `${scope}-${scopeId === "*" ? "all" : scopeId}-${period}-${randomUUID().slice(0, 8)}`;
  if (!ID.test(id)) fail("id", `${JSON.stringify(id)}: use 1-64 letters, digits, . _ : -`);
  const limits = rateLimit(action, input.rateLimit);
  const range = customRange(period, input, timeZone);
  return {
    id,
    scope,
    scopeId,
    period,
    timeZone,
    weekStart: weekStart as WeekStart,
    ...range,
    amountUsd: amount(input.amountUsd),
    action,
    thresholds: thresholds(input.thresholds),
    downgradeMap: { ...downgradeMap },
    ...(limits ? { rateLimit: limits } : {}),
  };
}
