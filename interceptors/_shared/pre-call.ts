import type { Attribution } from "../../src/core/attribution.js";
import type { UsageEventInput } from "../../src/core/event.js";

/** What a pre-call gate sees of a call about to be sent. */
export interface PreCallRequest {
  readonly provider: string;
  readonly operation: string;
  readonly model: string | null;
  /**
   * The request in the estimator's field names (read only; never stored): the caller's body where the SDK already
   * uses them (openai, anthropic), else the provider gate's view of it (`estimatorView` in each gate).
   */
  readonly body: unknown;
  readonly attribution: Attribution;
}

/** A call the gate let through; `model` set means: send it with this model instead. */
export interface Admission {
  readonly model?: string;
  /** Extra metadata recorded on the call's event (for example the downgrade and its reason). */
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** The call's event, once recorded (the gate settles its reservation from it). Never throws. */
  finish(input: UsageEventInput): void;
}

/**
 * The seam before a provider call: `admit` resolves to an admission or rejects with the error the caller gets
 * (a `BudgetExceededError`), and the request is not sent until it settles. Budgets install one.
 */
export interface PreCallGate {
  admit(request: PreCallRequest): Promise<Admission>;
}

let current: PreCallGate | undefined;

/** Install (or with undefined remove) the process-wide pre-call gate. */
export function setPreCallGate(gate: PreCallGate | undefined): void {
  current = gate;
}

export function preCallGate(): PreCallGate | undefined {
  return current;
}
