import { createHash } from "node:crypto";
import { sql, type RawBuilder } from "kysely";
import { canonicalJson, type AuditEntry, type AuditInput, type AuditVerdict } from "tokenledger/storage-kit";
import type { LedgerDb } from "./schema.js";

export const AUDIT_TABLE = "token_ledger_audit_log";
/** prev_hash of the first row. */
export const GENESIS_HASH = "0".repeat(64);

/** sha256(prev_hash ‖ canonical JSON of the row's own fields), hex. */
export function auditHash(prevHash: string, row: Omit<AuditEntry, "prevHash" | "hash">): string {
  const body = canonicalJson({
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    action: row.action,
    target: row.target,
    details: row.details,
  });
  return createHash("sha256").update(prevHash).update(body).digest("hex");
}

type Row = Record<string, unknown>;

function toEntry(r: Row): AuditEntry {
  let details: Record<string, unknown>;
  try {
    details = JSON.parse(String(r.details)) as Record<string, unknown>;
  } catch {
    details = { unreadable: String(r.details) }; // a tampered row: verify reports its hash mismatch
  }
  return {
    seq: Number(r.seq),
    at: String(r.at),
    actor: String(r.actor),
    action: String(r.action),
    target: r.target === null || r.target === undefined ? null : String(r.target),
    details,
    prevHash: String(r.prev_hash),
    hash: String(r.hash),
  };
}

/**
 * The append-only, hash-chained audit trail (migration 0018). Appends take the head and insert the next
 * row; `seq` (primary key) and `prev_hash` (UNIQUE) make a concurrent append at the same position fail, and
 * the loser retries on the new head, so the chain never forks, across processes too, without a transaction.
 */
export class KyselyAuditLog {
  constructor(
    private readonly db: () => Promise<LedgerDb>,
    private readonly table: (name: string) => RawBuilder<unknown>,
  ) {}

  async append(input: AuditInput, now = Date.now()): Promise<AuditEntry> {
    const db = await this.db();
    let lastError: unknown;
    // Optimistic: each round one racing writer wins, so a writer among k loses a round with chance (k-1)/k.
    // 20 rounds let 4 busy writers fail an append now and then (test/server/audit-race.test.ts); 100 do not.
    for (let attempt = 0; attempt < 100; attempt++) {
      const head = (
        await sql<Row>`select seq, hash from ${this.table(AUDIT_TABLE)} order by seq desc limit 1`.execute(db)
      ).rows[0];
      const seq = head ? Number(head.seq) + 1 : 1;
      const prevHash = head ? String(head.hash) : GENESIS_HASH;
      const base = { ...input, seq, at: new Date(now).toISOString() };
      const hash = auditHash(prevHash, base);
      try {
        await sql`insert into ${this.table(AUDIT_TABLE)} (seq, at, actor, action, target, details, prev_hash, hash)
          values (${seq}, ${base.at}, ${input.actor}, ${input.action}, ${input.target}, ${canonicalJson(input.details)}, ${prevHash}, ${hash})`.execute(
          db,
        );
        return { ...base, prevHash, hash };
      } catch (err) {
        lastError = err; // another writer took this position: retry on the new head
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 5 * (attempt + 1))));
      }
    }
    throw lastError;
  }

  /** Newest first; `beforeSeq` pages back. */
  async list(limit: number, beforeSeq?: number): Promise<AuditEntry[]> {
    const where = beforeSeq === undefined ? sql`1 = 1` : sql`seq < ${beforeSeq}`;
    const r = await sql<Row>`select * from ${this.table(AUDIT_TABLE)} where ${where}
      order by seq desc limit ${limit}`.execute(await this.db());
    return r.rows.map(toEntry);
  }

  /** Recompute the chain from the first row; names the first row whose link, sequence or hash is wrong. */
  async verify(pageSize = 1000): Promise<AuditVerdict> {
    const db = await this.db();
    let prevHash = GENESIS_HASH;
    let expectedSeq = 1;
    let rows = 0;
    for (;;) {
      const page = await sql<Row>`select * from ${this.table(AUDIT_TABLE)} where seq >= ${expectedSeq}
        order by seq limit ${pageSize}`.execute(db);
      for (const r of page.rows) {
        const e = toEntry(r);
        const bad = (reason: string): AuditVerdict => ({ ok: false, rows, seq: e.seq, reason });
        if (e.seq !== expectedSeq) return bad(`expected seq ${expectedSeq} next: rows are missing`);
        if (e.prevHash !== prevHash) return bad("prev_hash does not match the previous row's hash");
        if (String(r.details) !== canonicalJson(e.details)) return bad("details were rewritten");
        if (auditHash(prevHash, e) !== e.hash) return bad("hash does not match the row's content");
        prevHash = e.hash;
        expectedSeq++;
        rows++;
      }
      if (page.rows.length < pageSize) return { ok: true, rows };
    }
  }
}
