import type { QuotaSnapshot } from "../quota/types.js";

/**
 * The quota monitor's history, kept in the ledger's own database: one row per change of a series
 * (provider, account, window), the rule the tokstat seed used, so a 60 s refresh that sees nothing new
 * writes nothing. Feeds first paint (the latest rows), pace and "runs out in".
 */
export interface QuotaHistory {
  /** Store the snapshots that differ from the latest stored row of their series; returns how many were new. */
  save(snapshots: readonly QuotaSnapshot[]): Promise<number>;
  /** The latest stored snapshot of every series. */
  latest(): Promise<QuotaSnapshot[]>;
  /** One series, oldest first, from `sinceMs` (epoch ms of fetchedAt) on. */
  series(provider: string, accountId: string, window: string, sinceMs?: number): Promise<QuotaSnapshot[]>;
}

/** What makes two snapshots "the same" for history: the figures, not when they were fetched. */
export function snapshotContent(s: QuotaSnapshot): string {
  return JSON.stringify([s.used, s.limit, s.unit, s.unlimited, s.resetAt, s.note]);
}
