import type { LedgerEvent } from "../core/event.js";
import type { FailoverReason } from "./types.js";

/** Per group and target, what the ledger says about failover: attempts, answers, failures, switches. */
export interface FailoverSummaryRow {
  readonly group: string;
  readonly target: string;
  /** Calls that reached this target (answered or failed). */
  attempts: number;
  /** Calls this target answered successfully. */
  answered: number;
  /** Attempts here that failed (the call moved on, or the error reached the caller). */
  failed: number;
  /** Calls that moved away from this target after an attempt failed here. */
  switchedAway: number;
  /** Calls that asked for this target first but found its breaker open. */
  skippedOpen: number;
  lastFailureReason: FailoverReason | string | null;
  lastFailureAt: Date | null;
}

interface Note {
  group?: unknown;
  requestedTarget?: unknown;
  effectiveTarget?: unknown;
  attempt?: unknown;
  reason?: unknown;
  failedBecause?: unknown;
}

function noteOf(e: LedgerEvent): Note | null {
  const f = (e.metadata as { failover?: unknown } | null)?.failover;
  return f && typeof f === "object" ? (f as Note) : null;
}

/** Folds events carrying `metadata.failover` (written by `tokenledger/failover`) into one row per target. */
export function summarizeFailover(events: Iterable<LedgerEvent>): FailoverSummaryRow[] {
  const rows = new Map<string, FailoverSummaryRow>();
  const row = (group: string, target: string): FailoverSummaryRow => {
    const key = `${group}\u0000${target}`;
    let r = rows.get(key);
    if (!r) {
      r = {
        group,
        target,
        attempts: 0,
        answered: 0,
        failed: 0,
        switchedAway: 0,
        skippedOpen: 0,
        lastFailureReason: null,
        lastFailureAt: null,
      };
      rows.set(key, r);
    }
    return r;
  };
  for (const e of events) {
    const n = noteOf(e);
    if (!n || typeof n.group !== "string" || typeof n.effectiveTarget !== "string") continue;
    const r = row(n.group, n.effectiveTarget);
    r.attempts += 1;
    if (e.status === "ok") r.answered += 1;
    else if (e.status === "error") {
      r.failed += 1;
      if (!r.lastFailureAt || e.timestamp >= r.lastFailureAt) {
        r.lastFailureAt = e.timestamp;
        r.lastFailureReason =
          typeof n.failedBecause === "string" ? n.failedBecause : (e.errorType ?? "error");
      }
    }
    if (typeof n.failedBecause === "string") r.switchedAway += 1;
    if (n.reason === "breaker_open" && typeof n.requestedTarget === "string" && n.attempt === 1) {
      row(n.group, n.requestedTarget).skippedOpen += 1;
    }
  }
  return [...rows.values()].sort(
    (a, b) => a.group.localeCompare(b.group) || a.target.localeCompare(b.target),
  );
}
