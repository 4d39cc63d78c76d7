import type { UsageEventInput } from "tokenledger";
import type { FailoverNote } from "./types.js";

/** The ledger's failover columns for one attempt, from its note (the proxy records its events with these too). */
export function failoverColumns(
  note: FailoverNote,
): Pick<UsageEventInput, "requestedTarget" | "effectiveTarget" | "attempt" | "failoverReason"> {
  return {
    requestedTarget: note.requestedTarget,
    effectiveTarget: note.effectiveTarget,
    attempt: note.attempt,
    ...(note.reason ? { failoverReason: note.reason } : {}),
  };
}
