/**
 * The alert a channel delivers (also the webhook's JSON body). Amounts are decimal strings. `budget.threshold`:
 * spent crossed `threshold` percent. `budget.forecast`: the period-end projection passed the amount (once per
 * budget and period; `threshold` is 0, its claim key, and the forecast fields are set).
 */
export interface BudgetAlert {
  readonly type: "budget.threshold" | "budget.forecast";
  readonly budget_id: string;
  readonly scope: string;
  readonly scope_id: string;
  readonly period: string;
  readonly period_key: string;
  readonly period_start: string;
  readonly period_end: string;
  readonly threshold: number;
  readonly budget_percentage_used: number;
  readonly spent_usd: string;
  readonly limit_usd: string;
  /** True when the alert came from a call the budget blocked. */
  readonly blocked: boolean;
  /**
   * Projected spend at period end and its 80 % interval (see `projectSpend`): always on `budget.forecast`, on
   * `budget.threshold` when the guard has a `ledger` and the scope has 3 days of history.
   */
  readonly forecast_usd?: string;
  readonly forecast_low_usd?: string;
  readonly forecast_high_usd?: string;
}

/** One delivery target. `send` rejects on failure (the outbox retries later). */
export interface AlertChannel {
  /** Stable name: part of the exactly-once key, so every process must configure the same names. */
  readonly name: string;
  send(alert: BudgetAlert): Promise<void>;
}

const LOCAL = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);

/** http(s) only; plain http only to this machine unless `allowInsecureHttp` (the error names the option). */
export function checkUrl(option: string, url: string, allowInsecureHttp = false): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new TypeError(`${option}: ${JSON.stringify(url)} is not a URL`);
  }
  if (u.protocol !== "https:" && u.protocol !== "http:")
    throw new TypeError(`${option}: only http(s) URLs are allowed, got ${u.protocol}`);
  if (u.protocol === "http:" && !LOCAL.has(u.hostname) && !allowInsecureHttp)
    throw new TypeError(
      `${option}: plain http to ${u.hostname} would send alerts unencrypted; use https or set allowInsecureHttp`,
    );
  return u;
}

/** POST JSON; any non-2xx answer is a failure. */
export async function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<void> {
  const r = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  await r.arrayBuffer().catch(() => undefined);
  if (!r.ok) throw new Error(`HTTP ${r.status} from ${new URL(url).host}`);
}
