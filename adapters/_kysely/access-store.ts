import { sql, type RawBuilder } from "kysely";
import type { ApiKeyRow, SessionRow } from "tokenledger/storage-kit";
import type { LedgerDb } from "./schema.js";

export const API_KEYS = "token_ledger_api_keys";
export const SESSIONS = "token_ledger_sessions";
export const RATE_LIMITS = "token_ledger_rate_limits";

type Row = Record<string, unknown>;
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

const toKey = (r: Row): ApiKeyRow => ({
  id: String(r.id),
  prefix: String(r.prefix),
  hash: String(r.hash),
  name: String(r.name),
  role: String(r.role),
  scope: String(r.scope),
  userId: r.user_id === null || r.user_id === undefined ? null : String(r.user_id),
  createdAt: Number(r.created_at),
  revokedAt: num(r.revoked_at),
});

const toSession = (r: Row): SessionRow => ({
  id: String(r.id),
  keyId: String(r.key_id),
  csrf: String(r.csrf),
  createdAt: Number(r.created_at),
  expiresAt: Number(r.expires_at),
});

/** API keys and sessions in the ledger's database (migration 0017); the same SQL on SQLite and PostgreSQL. */
export class KyselyAccessStore {
  constructor(
    private readonly db: () => Promise<LedgerDb>,
    private readonly table: (name: string) => RawBuilder<unknown>,
  ) {}

  async insertKey(k: ApiKeyRow): Promise<void> {
    await sql`insert into ${this.table(API_KEYS)} (id, prefix, hash, name, role, scope, user_id, created_at, revoked_at)
      values (${k.id}, ${k.prefix}, ${k.hash}, ${k.name}, ${k.role}, ${k.scope}, ${k.userId}, ${k.createdAt}, ${k.revokedAt})`.execute(
      await this.db(),
    );
  }

  async keyByPrefix(prefix: string): Promise<ApiKeyRow | null> {
    const r = await sql<Row>`select * from ${this.table(API_KEYS)} where prefix = ${prefix}`.execute(
      await this.db(),
    );
    return r.rows[0] ? toKey(r.rows[0]) : null;
  }

  async keyById(id: string): Promise<ApiKeyRow | null> {
    const r = await sql<Row>`select * from ${this.table(API_KEYS)} where id = ${id}`.execute(await this.db());
    return r.rows[0] ? toKey(r.rows[0]) : null;
  }

  async listKeys(): Promise<ApiKeyRow[]> {
    const r = await sql<Row>`select * from ${this.table(API_KEYS)} order by created_at, id`.execute(
      await this.db(),
    );
    return r.rows.map(toKey);
  }

  /**
   * Revoke a key (by id or prefix) and delete its sessions; null when no unrevoked key matched. Two statements,
   * no transaction (a SQLite handle shared with the ingest path must not be left inside one): a session is
   * only honoured while its key is unrevoked, so the order alone makes revocation immediate.
   */
  async revokeKey(idOrPrefix: string, now: number): Promise<ApiKeyRow | null> {
    const db = await this.db();
    const r = await sql<Row>`select * from ${this.table(API_KEYS)}
      where (id = ${idOrPrefix} or prefix = ${idOrPrefix}) and revoked_at is null`.execute(db);
    const row = r.rows[0];
    if (!row) return null;
    const key = toKey(row);
    await sql`update ${this.table(API_KEYS)} set revoked_at = ${now} where id = ${key.id}`.execute(db);
    await sql`delete from ${this.table(SESSIONS)} where key_id = ${key.id}`.execute(db);
    return { ...key, revokedAt: now };
  }

  async insertSession(s: SessionRow): Promise<void> {
    await sql`insert into ${this.table(SESSIONS)} (id, key_id, csrf, created_at, expires_at)
      values (${s.id}, ${s.keyId}, ${s.csrf}, ${s.createdAt}, ${s.expiresAt})`.execute(await this.db());
  }

  /** The live session with this id hash (expired ones are not returned). */
  async session(idHash: string, now: number): Promise<SessionRow | null> {
    const r = await sql<Row>`select * from ${this.table(SESSIONS)}
      where id = ${idHash} and expires_at > ${now}`.execute(await this.db());
    return r.rows[0] ? toSession(r.rows[0]) : null;
  }

  async deleteSession(idHash: string): Promise<void> {
    await sql`delete from ${this.table(SESSIONS)} where id = ${idHash}`.execute(await this.db());
  }

  /** Drop expired sessions (called on login, so the table stays small without a timer). */
  async deleteExpiredSessions(now: number): Promise<void> {
    await sql`delete from ${this.table(SESSIONS)} where expires_at <= ${now}`.execute(await this.db());
  }

  /**
   * Count one request against `key` in its fixed window (migration 0022): one upsert that starts a new window
   * when the old one has ended, else adds one. A single statement is atomic on both databases (SQLite's write
   * lock, PostgreSQL's row lock on conflict), so processes sharing the ledger never lose a count.
   */
  async rateLimitHit(
    key: string,
    windowMs: number,
    now: number,
  ): Promise<{ hits: number; windowStart: number }> {
    const t = this.table(RATE_LIMITS);
    const expired = sql`rl.window_start + ${windowMs} <= ${now}`;
    const r = await sql<Row>`insert into ${t} as rl (key, hits, window_start) values (${key}, 1, ${now})
      on conflict (key) do update set
        hits = case when ${expired} then 1 else rl.hits + 1 end,
        window_start = case when ${expired} then ${now} else rl.window_start end
      returning hits, window_start`.execute(await this.db());
    const row = r.rows[0]!;
    return { hits: Number(row.hits), windowStart: Number(row.window_start) };
  }

  /** Drop counters whose window ended before `before` (keys and client addresses that went quiet). */
  async pruneRateLimits(before: number): Promise<void> {
    await sql`delete from ${this.table(RATE_LIMITS)} where window_start < ${before}`.execute(await this.db());
  }
}
