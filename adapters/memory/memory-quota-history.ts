import type { QuotaHistory, QuotaSnapshot } from "tokenledger/storage-kit";
import { snapshotContent } from "tokenledger/storage-kit";

/** Quota history in memory (tests), with the same one-row-per-change rule as the SQL adapters. */
export class MemoryQuotaHistory implements QuotaHistory {
  readonly #rows: QuotaSnapshot[] = [];

  async save(snapshots: readonly QuotaSnapshot[]): Promise<number> {
    let added = 0;
    for (const s of snapshots) {
      const last = this.#series(s.provider, s.accountId, s.window).at(-1);
      if (last && snapshotContent(last) === snapshotContent(s)) continue;
      this.#rows.push(s);
      added++;
    }
    return added;
  }

  async latest(): Promise<QuotaSnapshot[]> {
    const byKey = new Map<string, QuotaSnapshot>();
    for (const r of this.#rows) byKey.set(`${r.provider}\0${r.accountId}\0${r.window}`, r);
    return [...byKey.values()];
  }

  async series(provider: string, accountId: string, window: string, sinceMs = 0): Promise<QuotaSnapshot[]> {
    return this.#series(provider, accountId, window).filter((r) => Date.parse(r.fetchedAt) >= sinceMs);
  }

  #series(provider: string, accountId: string, window: string): QuotaSnapshot[] {
    return this.#rows.filter(
      (r) => r.provider === provider && r.accountId === accountId && r.window === window,
    );
  }
}
