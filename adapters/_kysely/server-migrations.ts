import { postgresHistogramSql, sqliteHistogramSql } from "./latency-histogram-migration.js";
import type { SqlMigration } from "./migrator.js";

/**
 * 0017_api_keys: the server's API keys and dashboard sessions, the same tables in both stores. Only a hash of
 * each secret is stored (SHA-256 of a 190-bit random secret; see src/server/auth/key-format.ts for why not
 * scrypt). `t`: table prefix (the schema in PostgreSQL). Times are epoch milliseconds.
 */
export function apiKeyMigration(t: string, bigint: string): SqlMigration {
  return {
    name: "0017_api_keys",
    up: [
      `CREATE TABLE IF NOT EXISTS ${t}token_ledger_api_keys (
        id TEXT PRIMARY KEY,
        prefix TEXT NOT NULL UNIQUE,
        hash TEXT NOT NULL,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        scope TEXT NOT NULL,
        user_id TEXT,
        created_at ${bigint} NOT NULL,
        revoked_at ${bigint}
      )`,
      `CREATE TABLE IF NOT EXISTS ${t}token_ledger_sessions (
        id TEXT PRIMARY KEY,
        key_id TEXT NOT NULL,
        csrf TEXT NOT NULL,
        created_at ${bigint} NOT NULL,
        expires_at ${bigint} NOT NULL
      )`,
      `CREATE INDEX IF NOT EXISTS token_ledger_sessions_key ON ${t}token_ledger_sessions (key_id)`,
    ],
  };
}

const AUDIT_COLUMNS = (t: string, bigint: string) => `CREATE TABLE IF NOT EXISTS ${t}token_ledger_audit_log (
        seq ${bigint} PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT,
        details TEXT NOT NULL,
        prev_hash TEXT NOT NULL UNIQUE,
        hash TEXT NOT NULL
      )`;

/**
 * 0018_audit_log (SQLite): append-only. `prev_hash` is UNIQUE, so two writers racing for the same chain
 * position cannot fork it (the loser retries on the new head); triggers refuse UPDATE and DELETE.
 */
export function sqliteAuditMigration(): SqlMigration {
  return {
    name: "0018_audit_log",
    up: [
      AUDIT_COLUMNS("", "INTEGER"),
      `CREATE TRIGGER IF NOT EXISTS token_ledger_audit_log_no_update BEFORE UPDATE ON token_ledger_audit_log
        BEGIN SELECT RAISE(ABORT, 'token_ledger_audit_log is append-only: UPDATE refused'); END`,
      `CREATE TRIGGER IF NOT EXISTS token_ledger_audit_log_no_delete BEFORE DELETE ON token_ledger_audit_log
        BEGIN SELECT RAISE(ABORT, 'token_ledger_audit_log is append-only: DELETE refused'); END`,
    ],
  };
}

/** 0018_audit_log (PostgreSQL): the same table; one trigger function refuses UPDATE, DELETE and TRUNCATE. */
export function postgresAuditMigration(s: string): SqlMigration {
  return {
    name: "0018_audit_log",
    up: [
      AUDIT_COLUMNS(`${s}.`, "BIGINT"),
      `CREATE OR REPLACE FUNCTION ${s}.token_ledger_audit_log_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'token_ledger_audit_log is append-only: % refused', TG_OP; END $$`,
      `DROP TRIGGER IF EXISTS token_ledger_audit_log_no_change ON ${s}.token_ledger_audit_log`,
      `CREATE TRIGGER token_ledger_audit_log_no_change BEFORE UPDATE OR DELETE ON ${s}.token_ledger_audit_log
        FOR EACH ROW EXECUTE FUNCTION ${s}.token_ledger_audit_log_refuse()`,
      `DROP TRIGGER IF EXISTS token_ledger_audit_log_no_truncate ON ${s}.token_ledger_audit_log`,
      `CREATE TRIGGER token_ledger_audit_log_no_truncate BEFORE TRUNCATE ON ${s}.token_ledger_audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION ${s}.token_ledger_audit_log_refuse()`,
    ],
  };
}

const rateLimitTable = (
  t: string,
  bigint: string,
) => `CREATE TABLE IF NOT EXISTS ${t}token_ledger_rate_limits (
        key TEXT PRIMARY KEY,
        hits ${bigint} NOT NULL,
        window_start ${bigint} NOT NULL
      )`;

/**
 * 0022 (SQLite): the latency histograms (see latency-histogram-migration.ts) and the rate-limit counters that
 * every `tokenledger serve` process over this ledger shares.
 */
export function sqliteServerCountersMigration(): SqlMigration {
  return {
    name: "0022_server_counters",
    up: [...sqliteHistogramSql(), rateLimitTable("", "INTEGER")],
  };
}

/** 0022 (PostgreSQL): the same tables. */
export function postgresServerCountersMigration(s: string): SqlMigration {
  return {
    name: "0022_server_counters",
    up: [...postgresHistogramSql(s), rateLimitTable(`${s}.`, "BIGINT")],
  };
}
