import { sql, type RawBuilder } from "kysely";
import type { ProviderHealthRow, ProviderHealthStore } from "tokenledger/failover";
import { PROVIDER_HEALTH_TABLE } from "./failover-migration.js";
import type { LedgerDb } from "./schema.js";

interface Row {
  group_name: string;
  target: string;
  state: string;
  until_ms: number | string | null;
  reason: string | null;
  writer: string;
  updated_ms: number | string;
}

/**
 * tokenledger/failover's shared breaker transitions (migration 0020): one upserted row per group and target.
 * The same SQL on SQLite and PostgreSQL; BIGINT times come back as strings from `pg`, hence the Number().
 */
export class KyselyProviderHealth implements ProviderHealthStore {
  constructor(
    private readonly db: () => Promise<LedgerDb>,
    private readonly table: (name: string) => RawBuilder<unknown>,
  ) {}

  async write(r: ProviderHealthRow): Promise<void> {
    const db = await this.db();
    const until = r.untilMs === null ? null : Math.round(r.untilMs);
    await sql`insert into ${this.table(PROVIDER_HEALTH_TABLE)}
        (group_name, target, state, until_ms, reason, writer, updated_ms)
      values (${r.group}, ${r.target}, ${r.state}, ${until}, ${r.reason}, ${r.writer}, ${Math.round(r.updatedMs)})
      on conflict (group_name, target) do update set state = excluded.state, until_ms = excluded.until_ms,
        reason = excluded.reason, writer = excluded.writer, updated_ms = excluded.updated_ms`.execute(db);
  }

  async readSince(group: string, sinceMs: number): Promise<ProviderHealthRow[]> {
    const db = await this.db();
    const r = await sql<Row>`select * from ${this.table(PROVIDER_HEALTH_TABLE)}
      where group_name = ${group} and updated_ms > ${Math.floor(sinceMs)}`.execute(db);
    return r.rows.map((x) => ({
      group: x.group_name,
      target: x.target,
      state: x.state as ProviderHealthRow["state"],
      untilMs: x.until_ms === null ? null : Number(x.until_ms),
      reason: x.reason,
      writer: x.writer,
      updatedMs: Number(x.updated_ms),
    }));
  }
}
