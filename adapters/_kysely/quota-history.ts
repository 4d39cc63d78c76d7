import { createHash } from "node:crypto";
import { sql, type RawBuilder } from "kysely";
import type { QuotaHistory, QuotaSnapshot, QuotaUnit, QuotaWindow } from "tokenledger/storage-kit";
import { snapshotContent } from "tokenledger/storage-kit";
import type { LedgerDb } from "./schema.js";

export const QUOTA_TABLE = "token_ledger_quota_snapshots";

interface QuotaRow {
  provider: string;
  account_id: string;
  quota_window: string;
  used: string | null;
  limit_amount: string | null;
  unit: string;
  unlimited: number | boolean;
  reset_at: string | null;
  source: string;
  note: string | null;
  fetched_ms: number | string;
}

const toSnapshot = (r: QuotaRow): QuotaSnapshot => ({
  provider: r.provider,
  accountId: r.account_id,
  window: r.quota_window as QuotaWindow,
  used: r.used,
  limit: r.limit_amount,
  unit: r.unit as QuotaUnit,
  unlimited: r.unlimited === true || Number(r.unlimited) === 1,
  resetAt: r.reset_at,
  source: r.source,
  note: r.note,
  fetchedAt: new Date(Number(r.fetched_ms)).toISOString(),
});

/**
 * Quota history over the SQL adapters. Amounts are stored as decimal text (never summed in SQL).
 * Each insert is one statement that checks the series' latest hash, so no transaction is opened on a
 * handle the host may share.
 */
export class KyselyQuotaHistory implements QuotaHistory {
  constructor(
    private readonly db: () => Promise<LedgerDb>,
    private readonly table: (name: string) => RawBuilder<unknown>,
  ) {}

  async save(snapshots: readonly QuotaSnapshot[]): Promise<number> {
    const db = await this.db();
    const t = this.table(QUOTA_TABLE);
    let added = 0;
    for (const s of snapshots) {
      const hash = createHash("sha256").update(snapshotContent(s)).digest("hex").slice(0, 32);
      const r =
        await sql`insert into ${t} (provider, account_id, quota_window, used, limit_amount, unit, unlimited, reset_at, source, note, fetched_ms, content_hash)
        select ${s.provider}, ${s.accountId}, ${s.window}, ${s.used}, ${s.limit}, ${s.unit}, cast(${s.unlimited ? 1 : 0} as integer),
          ${s.resetAt}, ${s.source}, ${s.note}, cast(${Date.parse(s.fetchedAt)} as bigint), ${hash}
        where not exists (select 1 from (select content_hash from ${t} where provider = ${s.provider} and account_id = ${s.accountId}
          and quota_window = ${s.window} order by id desc limit 1) last where last.content_hash = ${hash})`.execute(
          db,
        );
      added += Number(r.numAffectedRows ?? 0);
    }
    return added;
  }

  async latest(): Promise<QuotaSnapshot[]> {
    const t = this.table(QUOTA_TABLE);
    const r = await sql<QuotaRow>`select q.* from ${t} q join (select max(id) as id from ${t}
      group by provider, account_id, quota_window) m on q.id = m.id order by q.provider, q.account_id, q.quota_window`.execute(
      await this.db(),
    );
    return r.rows.map(toSnapshot);
  }

  async series(provider: string, accountId: string, window: string, sinceMs = 0): Promise<QuotaSnapshot[]> {
    const r = await sql<QuotaRow>`select * from ${this.table(QUOTA_TABLE)} where provider = ${provider}
      and account_id = ${accountId} and quota_window = ${window} and fetched_ms >= ${sinceMs} order by id`.execute(
      await this.db(),
    );
    return r.rows.map(toSnapshot);
  }
}
