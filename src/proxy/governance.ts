import type { Admission, PreCallGate } from "../../interceptors/_shared/pre-call.js";
import type { Attribution } from "../core/attribution.js";
import { BudgetExceededError, BudgetUnpricedError } from "../budgets/errors.js";
import type { ProxyErrorType } from "./error-shape.js";
import type { WireFormat } from "./routes.js";

export interface Refusal {
  readonly status: number;
  readonly type: ProxyErrorType;
  readonly message: string;
  readonly headers: Readonly<Record<string, string>>;
  /** What the gate threw (recorded on the call's error row, as the SDK interceptors do). */
  readonly error: unknown;
}

export type GateResult =
  | {
      readonly ok: true;
      readonly admission: Admission | undefined;
      /** A budget downgrade to apply: the request goes with this model instead. */
      readonly model?: string;
    }
  | ({ readonly ok: false } & Refusal);

/** Whether a model name belongs to the route's wire format (a downgrade never switches API). */
function sameWireFormat(format: WireFormat, model: string): boolean {
  return /^claude/i.test(model) === (format === "anthropic");
}

/**
 * Budgets before the upstream call. A block becomes 429 with `Retry-After` (seconds until the budget's
 * period ends), an unpriced model under a budget 403. A budget `downgrade` is applied by rewriting the JSON
 * body's `model` when the target model speaks the route's wire format; otherwise the call goes as asked and
 * the event says why (`budget_downgrade_skipped`).
 */
export async function admit(
  gate: PreCallGate | undefined,
  format: WireFormat,
  request: {
    provider: string;
    operation: string;
    model: string | null;
    body: unknown;
    attribution: Attribution;
  },
): Promise<GateResult> {
  if (!gate) return { ok: true, admission: undefined };
  try {
    const admission = await gate.admit(request);
    const to = admission.model;
    if (to === undefined || to === request.model) return { ok: true, admission };
    if (sameWireFormat(format, to)) return { ok: true, admission, model: to };
    const { budget_downgrade: _dropped, ...metadata } = admission.metadata ?? {};
    return {
      ok: true,
      admission: {
        finish: (input) => admission.finish(input),
        metadata: { ...metadata, budget_downgrade_skipped: `${to} is not an ${format} model` },
      },
    };
  } catch (err) {
    if (err instanceof BudgetExceededError) {
      const seconds = Math.max(1, Math.ceil((err.periodEnd.getTime() - Date.now()) / 1000));
      return {
        ok: false,
        status: 429,
        type: "rate_limit_error",
        message: `tokenledger: ${err.message}`,
        headers: { "retry-after": String(seconds) },
        error: err,
      };
    }
    if (err instanceof BudgetUnpricedError)
      return {
        ok: false,
        status: 403,
        type: "permission_error",
        message: `tokenledger: ${err.message}`,
        headers: {},
        error: err,
      };
    return {
      ok: false,
      status: 503,
      type: "api_error",
      message: `tokenledger: budget check failed: ${err instanceof Error ? err.message : String(err)}`,
      headers: { "retry-after": "5" },
      error: err,
    };
  }
}
