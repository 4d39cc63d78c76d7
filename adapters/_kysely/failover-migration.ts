import type { SqlMigration } from "./migrator.js";

/** Breaker transitions shared between sibling processes (tokenledger/failover's `share` option). */
export const PROVIDER_HEALTH_TABLE = "token_ledger_provider_health";

/**
 * 0020_failover: the failover columns of each event (requested and effective target, attempt number, reason;
 * null on events that did not go through a failover group), and `token_ledger_provider_health`, one row per
 * group and target holding its last breaker transition, so sibling processes can skip a target another one
 * found dead. `t`: the table prefix (`""` in SQLite, `"schema".` in PostgreSQL).
 */
export function failoverMigration(t: string, bigint: string): SqlMigration {
  return {
    name: "0020_failover",
    up: [
      `ALTER TABLE ${t}token_ledger_events ADD COLUMN requested_target TEXT`,
      `ALTER TABLE ${t}token_ledger_events ADD COLUMN effective_target TEXT`,
      `ALTER TABLE ${t}token_ledger_events ADD COLUMN attempt INTEGER`,
      `ALTER TABLE ${t}token_ledger_events ADD COLUMN failover_reason TEXT`,
      // Partial: only failover attempts carry a target, so the index stays small for everyone else.
      `CREATE INDEX IF NOT EXISTS token_ledger_events_target_ts
        ON ${t}token_ledger_events (effective_target, ts) WHERE effective_target IS NOT NULL`,
      `CREATE TABLE IF NOT EXISTS ${t}${PROVIDER_HEALTH_TABLE} (
        group_name TEXT NOT NULL,
        target TEXT NOT NULL,
        state TEXT NOT NULL,
        until_ms ${bigint},
        reason TEXT,
        writer TEXT NOT NULL,
        updated_ms ${bigint} NOT NULL,
        PRIMARY KEY (group_name, target)
      )`,
      `CREATE INDEX IF NOT EXISTS token_ledger_provider_health_updated
        ON ${t}${PROVIDER_HEALTH_TABLE} (updated_ms)`,
    ],
  };
}
