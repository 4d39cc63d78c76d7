// Response shapes of the server's /api/v1. Rollup, latency and budget shapes are the SDK's own types, imported as
// types only: nothing from the SDK is bundled into the browser.
import type { Budget } from "../../../budgets/types.js";
import type { BudgetStatus } from "../../../budgets/status.js";
import type { LatencyRow, RollupMeasures, RollupResult, RollupRow } from "../../../core/query.js";

export type { Budget, LatencyRow, RollupMeasures, RollupResult, RollupRow };

export interface Principal {
  readonly id: string;
  readonly name: string;
  readonly role: string;
  readonly userId?: string | null;
}

export interface SessionInfo {
  readonly csrfToken: string;
  readonly principal: Principal;
}

/** Percentiles in ms keyed p50, p95, ...; null when no call in the group recorded the measure. */
type Percentiles = Readonly<Record<string, number | null>>;

/**
 * GET /latency: per-group latency and time to first token (streamed calls only), and the overall time to first
 * token. `source`: "histogram" (each figure at most 2% below the exact value) or "events" (exact).
 */
export interface LatencyResult {
  readonly rows: readonly (LatencyRow & { readonly ttftMs?: Percentiles; readonly ttftCount?: number })[];
  readonly ttft?: { readonly p50: number | null; readonly p95: number | null; readonly count?: number };
  readonly source?: "histogram" | "events";
}

/** A budget status; `forecastUsd` (projected spend at period end) when the server provides it. */
export type BudgetStatusView = BudgetStatus & { readonly forecastUsd?: string | null };

export interface Alert {
  readonly id: string;
  readonly budgetId: string;
  /** The budget period the alert belongs to (`2026-03`, `2026-03-09`). */
  readonly periodKey?: string;
  readonly threshold: number;
  readonly firedAt: string | null;
  readonly spentUsd: string | null;
  readonly limitUsd: string | null;
  readonly acked: boolean;
}
