import { MIGRATION_TABLE } from "./schema.js";

/** What a database holds, read before tokenledger writes anything to it. */
export interface LedgerContents {
  /** Table names (SQLite's own `sqlite_*` tables excluded). */
  readonly tables: readonly string[];
  /** Migration names recorded in the migration table; null when that table does not exist. */
  readonly applied: readonly string[] | null;
}

export interface IdentityCheck {
  /** How to name the database in the message: `sqlite /path/ledger.db`, `postgres host/db schema "x"`. */
  readonly where: string;
  /** Migration names this version of tokenledger knows. */
  readonly known: readonly string[];
  /**
   * The database is shared with the host on purpose (a handle the host passed in, PostgreSQL's `public` schema):
   * other tables are expected there, the ledger's own are prefixed `token_ledger_`.
   */
  readonly shared: boolean;
}

const LEDGER_PREFIX = "token_ledger_";

/**
 * Why this database must not be opened as this version's ledger, or null when it can be: another
 * application's database (its tables, no migration table), or a ledger migrated by a newer tokenledger
 * (writing with an older schema, or "migrating" it, would corrupt it). Checked before any write.
 */
export function ledgerRefusal(contents: LedgerContents, check: IdentityCheck): string | null {
  if (contents.applied === null) {
    const foreign = contents.tables.filter((t) => !t.startsWith(LEDGER_PREFIX));
    if (check.shared || foreign.length === 0) return null;
    const shown =
      foreign.slice(0, 5).join(", ") + (foreign.length > 5 ? `, … (${foreign.length} tables)` : "");
    return (
      `${check.where} is not a tokenledger ledger: it holds other tables (${shown}) and no ` +
      `${MIGRATION_TABLE} table. Nothing was written to it. Point the ledger at its own file or schema ` +
      "(--db, TOKENLEDGER_DATABASE_URL or the storage option)."
    );
  }
  const knownNames = new Set(check.known);
  const unknown = contents.applied.filter((name) => !knownNames.has(name));
  if (unknown.length === 0) return null;
  return (
    `${check.where} was migrated by a newer tokenledger: migration${unknown.length > 1 ? "s" : ""} ` +
    `${unknown.join(", ")} ${unknown.length > 1 ? "are" : "is"} unknown to this version. Nothing was written ` +
    "to it. Upgrade tokenledger (npm install tokenledger@latest) to read or record into this ledger."
  );
}
