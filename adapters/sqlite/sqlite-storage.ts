import { mkdirSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { isMainThread } from "node:worker_threads";
import { Kysely, SqliteDialect, type SqliteDatabase } from "kysely";
import type { LedgerEvent, Logger } from "tokenledger/storage-kit";
import { StorageError, TokenLedgerConfigError, toStorageError } from "tokenledger/storage-kit";
import { usdToPico } from "../_shared/decimal.js";
import { eventRowShape, type EventRowShape } from "../_kysely/event-row.js";
import { KyselyStorage } from "../_kysely/kysely-storage.js";
import { PROJECTIONS } from "../_kysely/projections.js";
import { ledgerRefusal } from "../_kysely/ledger-identity.js";
import { ledgerMigrator, readStatus, runMigrations, type MigrationStatus } from "../_kysely/migrator.js";
import { MIGRATION_TABLE, type LedgerDatabase, type LedgerDb } from "../_kysely/schema.js";
import { loadBetterSqlite3 } from "./sqlite-driver.js";
import { SQLITE_MIGRATIONS } from "./sqlite-migrations.js";
import {
  sqliteRollupPruneSql,
  sqliteRollupSubtractSql,
  sqliteRollupTrigger,
  sqliteRollupUpsertSql,
} from "./sqlite-projection-sql.js";
import { sqliteFlavor } from "./sqlite-sql.js";
import {
  SQLITE_DEFAULTS,
  type SqliteDatabaseLike,
  type SqliteStatementLike,
  type SqliteStorageOptions,
} from "./sqlite-storage-config.js";
import { sqliteVersionWarning } from "./sqlite-version.js";
import { SqliteBudgetStore } from "./sqlite-budget-store.js";

const CONVERT = {
  ts: (d: Date) => d.getTime(),
  bool: (b: boolean) => (b ? 1 : 0),
  cost: (c: string | null) => (c === null ? null : usdToPico(c)),
  json: (m: unknown) => JSON.stringify(m),
};
const stderrLogger: Logger = {
  warn: (m) => process.stderr.write(`[tokenledger] warn: ${m}\n`),
  error: (m) => process.stderr.write(`[tokenledger] error: ${m}\n`),
};

/**
 * SQLite storage on better-sqlite3: WAL, every write in `BEGIN IMMEDIATE` (so concurrent processes queue on the
 * busy handler instead of failing a lock upgrade), a short busy timeout so the host's event loop never stalls
 * (SQLITE_BUSY surfaces as a transient StorageError the tracker retries), and a bounded WAL file.
 */
export class SqliteStorage extends KyselyStorage {
  readonly kind = "sqlite";
  protected readonly flavor = sqliteFlavor;
  readonly #opts: SqliteStorageOptions;
  readonly #log: Logger;
  #db: SqliteDatabaseLike | undefined;
  #kysely: LedgerDb | undefined;
  /** The events insert for the table's current columns, re-planned when the schema changes (like the rollups). */
  #insert: { schemaVersion: number; statement: SqliteStatementLike; shape: EventRowShape } | undefined;
  /** The per-batch rollup upserts, for the schema version they were planned against. */
  #rollups:
    | {
        readonly schemaVersion: number;
        readonly upserts: readonly SqliteStatementLike[];
        readonly projections: readonly (typeof PROJECTIONS)[number][];
      }
    | undefined;
  #init: Promise<void> | undefined;
  #walTimer: NodeJS.Timeout | undefined;
  #closed = false;
  /** WAL checkpoints run because the file passed the threshold. */
  walCheckpoints = 0;

  constructor(options: SqliteStorageOptions) {
    super();
    this.#opts = Object.freeze({ ...options });
    this.#log = options.logger ?? stderrLogger;
    checkOptions(options);
  }

  /** The database file (`:memory:` for in-memory databases). */
  get path(): string {
    return this.#db?.name ?? (this.#opts.path ? resolve(this.#opts.path) : ":memory:");
  }

  protected async database(): Promise<LedgerDb> {
    this.#open();
    return this.#kysely!;
  }

  #open(): void {
    if (this.#closed) throw new StorageError(`sqlite ${this.path}: storage is closed`, "backend");
    if (this.#db) return;
    const host = this.#opts.database;
    if (host) this.#refuseUnlessLedger(host, true);
    const db = host ?? this.#openFile();
    try {
      this.#insertPlan(db);
    } catch {
      this.#insert = undefined; // table not there yet (migrations pending or disabled)
    }
    this.#kysely = new Kysely<LedgerDatabase>({
      dialect: new SqliteDialect({ database: db as unknown as SqliteDatabase }),
    });
    this.#db = db;
  }

  #openFile(): SqliteDatabaseLike {
    const path = this.#opts.path;
    if (!path)
      throw new TokenLedgerConfigError(
        "sqliteStorage: give `path` (a file) or `database` (an open better-sqlite3 Database)",
      );
    const Database = loadBetterSqlite3();
    const file = path === ":memory:" ? path : resolve(path);
    let db: SqliteDatabaseLike;
    try {
      if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
      db = new Database(file, { timeout: this.#opts.busyTimeoutMs ?? SQLITE_DEFAULTS.busyTimeoutMs });
    } catch (err) {
      throw new StorageError(
        `sqlite: cannot open ${file}: ${err instanceof Error ? err.message : String(err)}`,
        "backend",
        { cause: err },
      );
    }
    // Before the pragmas: switching to WAL already writes to the file.
    try {
      this.#refuseUnlessLedger(db, false);
    } catch (err) {
      db.close();
      throw err;
    }
    try {
      db.pragma("journal_mode = WAL");
      db.pragma(`synchronous = ${this.#opts.durability === "full" ? "FULL" : "NORMAL"}`);
      db.pragma("foreign_keys = ON");
    } catch (err) {
      db.close();
      throw toStorageError(err, `sqlite ${file}: setting pragmas`);
    }
    return db;
  }

  /** Another application's database, or a ledger a newer tokenledger migrated: refused, nothing written. */
  #refuseUnlessLedger(db: SqliteDatabaseLike, shared: boolean): void {
    const where = `sqlite ${db.name}`;
    let tables: string[];
    let applied: string[] | null = null;
    try {
      tables = db
        .prepare(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
        )
        .all()
        .map((r) => String((r as { name: unknown }).name));
      if (tables.includes(MIGRATION_TABLE))
        applied = db
          .prepare(`SELECT name FROM ${MIGRATION_TABLE}`)
          .all()
          .map((r) => String((r as { name: unknown }).name));
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code === "SQLITE_NOTADB")
        throw new StorageError(
          `${where} is not a SQLite database (not a tokenledger ledger); nothing was written`,
          "backend",
          {
            cause: err,
          },
        );
      throw toStorageError(err, `${where}: reading the schema`);
    }
    const known = SQLITE_MIGRATIONS.map((m) => m.name);
    const refusal = ledgerRefusal({ tables, applied }, { where, known, shared });
    if (refusal) throw new StorageError(refusal, "backend");
  }

  init(): Promise<void> {
    this.#init ??= this.#doInit().catch((err: unknown) => {
      this.#init = undefined; // let a later call try again
      throw err;
    });
    return this.#init;
  }

  async #doInit(): Promise<void> {
    this.#open();
    const version = (this.#db!.prepare("select sqlite_version() as v").get() as { v?: unknown } | undefined)
      ?.v;
    const warning = sqliteVersionWarning(String(version ?? "0"));
    if (warning) this.#log.warn(`${warning} (${this.path})`);
    if (this.#opts.migrate !== false) await this.migrateToLatest();
    this.#startWalWatch();
  }

  /** Migrations under `BEGIN IMMEDIATE`, so processes starting together apply each step once. */
  async migrateToLatest(): Promise<string[]> {
    this.#open();
    const db = this.#db!;
    await this.#beginImmediateWithRetry(10_000);
    try {
      const applied = await runMigrations(ledgerMigrator(this.#kysely as never, SQLITE_MIGRATIONS));
      db.exec("COMMIT");
      this.#insertPlan(db);
      return applied;
    } catch (err) {
      if (db.inTransaction) db.exec("ROLLBACK");
      throw toStorageError(err, `sqlite ${this.path}: migrations`);
    }
  }

  async migrationStatus(): Promise<MigrationStatus> {
    this.#open();
    return readStatus(ledgerMigrator(this.#kysely as never, SQLITE_MIGRATIONS));
  }

  async #beginImmediateWithRetry(deadlineMs: number): Promise<void> {
    const end = Date.now() + deadlineMs;
    for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
      try {
        this.#db!.exec("BEGIN IMMEDIATE");
        return;
      } catch (err) {
        if (!String((err as { code?: unknown }).code).startsWith("SQLITE_BUSY") || Date.now() > end) {
          throw toStorageError(err, `sqlite ${this.path}: begin`);
        }
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  async insertBatch(events: readonly LedgerEvent[]): Promise<void> {
    await this.init();
    this.#write(events);
  }

  /** insertBatch that also says which ids were new (the others were already stored): the server's idempotency. */
  async insertNew(events: readonly LedgerEvent[]): Promise<string[]> {
    await this.init();
    return this.#write(events);
  }

  /** Insert or overwrite by id: stored rows with these ids leave the rollups and the table first, in the same transaction. */
  async replaceBatch(events: readonly LedgerEvent[]): Promise<void> {
    await this.init();
    this.#write(events, true);
  }

  /** For the process `exit` hook: synchronous, never throws; true when the batch is stored. */
  insertBatchSync(events: readonly LedgerEvent[]): boolean {
    try {
      if (!this.#insert) return false; // never initialised: no schema guaranteed
      this.#write(events);
      return true;
    } catch {
      return false;
    }
  }

  /** One `BEGIN IMMEDIATE` transaction per batch: all rows or none. */
  #write(events: readonly LedgerEvent[], replace = false): string[] {
    const db = this.#db;
    if (!db || this.#closed) throw new StorageError(`sqlite ${this.path}: storage is closed`, "backend");
    if (events.length === 0) return [];
    // A database handle shared with the host may be inside the host's own transaction: never join it and never
    // roll it back; wait for it to end (a transient error, retried with backoff).
    if (db.inTransaction) {
      throw new StorageError(
        `sqlite ${this.path}: the shared connection is inside another transaction`,
        "transient",
      );
    }
    let began = false;
    try {
      db.exec("BEGIN IMMEDIATE");
      began = true;
      if (replace) this.#removeForReplace(db, JSON.stringify(events.map((e) => e.id)));
      const { statement, shape } = this.#insertPlan(db);
      const inserted: string[] = [];
      for (const e of events)
        if (Number(statement.run(...shape.values(e, CONVERT)).changes) === 1) inserted.push(e.id);
      if (inserted.length > 0) {
        const ids = JSON.stringify(inserted);
        for (const upsert of this.#rollupUpserts(db)) upsert.run(ids);
      }
      if (replace)
        for (const p of this.#rollups?.projections ?? []) db.prepare(sqliteRollupPruneSql(p)).run();
      db.exec("COMMIT");
      return inserted;
    } catch (err) {
      try {
        if (began && db.inTransaction) db.exec("ROLLBACK");
      } catch {
        /* SQLite may already have rolled back */
      }
      throw toStorageError(err, `sqlite ${this.path}: insert`);
    }
  }

  /**
   * The insert for the columns token_ledger_events has now. A ledger opened with `migrate: false` may lack the
   * newest optional columns; when another process migrates it, `schema_version` moves and the plan is rebuilt.
   */
  #insertPlan(db: SqliteDatabaseLike): { statement: SqliteStatementLike; shape: EventRowShape } {
    const schemaVersion = Number(db.pragma("schema_version", { simple: true }));
    if (this.#insert?.schemaVersion === schemaVersion) return this.#insert;
    const existing = new Set(
      (
        db.prepare("SELECT name FROM pragma_table_info('token_ledger_events')").all() as { name: string }[]
      ).map((r) => r.name),
    );
    if (existing.size === 0)
      throw new StorageError(
        `sqlite ${this.path}: no events table yet (migrations pending: run \`tokenledger db migrate\`)`,
        "backend",
      );
    const shape = eventRowShape("cost_pico", existing);
    const cols = shape.columns;
    const statement = db.prepare(
      `INSERT INTO token_ledger_events (${cols.join(", ")}) VALUES (${cols.map(() => "?").join(", ")}) ON CONFLICT (id) DO NOTHING`,
    );
    this.#insert = { schemaVersion, statement, shape };
    return this.#insert;
  }

  /** Inside the write transaction: take the stored rows with `ids` (JSON array) out of the rollups, then delete them. */
  #removeForReplace(db: SqliteDatabaseLike, ids: string): void {
    this.#rollupUpserts(db);
    for (const p of this.#rollups?.projections ?? []) db.prepare(sqliteRollupSubtractSql(p)).run(ids);
    db.prepare("DELETE FROM token_ledger_events WHERE id IN (SELECT value FROM json_each(?))").run(ids);
  }

  /**
   * The projections this adapter must roll up: those whose table exists and is not still kept by its pre-0005
   * trigger (a ledger opened with `migrate: false` may be at any step; summing twice or not at all would both be
   * wrong). Re-planned inside the write transaction whenever the schema changed, e.g. another process migrated.
   */
  #rollupUpserts(db: SqliteDatabaseLike): readonly SqliteStatementLike[] {
    const schemaVersion = Number(db.pragma("schema_version", { simple: true }));
    if (this.#rollups?.schemaVersion === schemaVersion) return this.#rollups.upserts;
    const names = new Set(
      (
        db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')").all() as {
          name: string;
        }[]
      ).map((r) => r.name),
    );
    const projections = PROJECTIONS.filter((p) => names.has(p.table) && !names.has(sqliteRollupTrigger(p)));
    const upserts = projections.map((p) => db.prepare(sqliteRollupUpsertSql(p)));
    this.#rollups = { schemaVersion, upserts, projections };
    return upserts;
  }

  #startWalWatch(): void {
    if (this.#walTimer || this.path === ":memory:" || this.#opts.database) return;
    const limit = this.#opts.walCheckpointBytes ?? SQLITE_DEFAULTS.walCheckpointBytes;
    const every = this.#opts.walCheckIntervalMs ?? SQLITE_DEFAULTS.walCheckIntervalMs;
    this.#walTimer = setInterval(() => this.checkpointIfLarge(limit), every);
    this.#walTimer.unref();
  }

  /** TRUNCATE (a RESTART that also shrinks the file) once the -wal file passes `limit` bytes. Never throws. */
  checkpointIfLarge(limit: number): boolean {
    try {
      if (!this.#db || this.#closed || statSync(`${this.path}-wal`).size <= limit) return false;
      this.#db.pragma("wal_checkpoint(TRUNCATE)");
      this.walCheckpoints++;
      return true;
    } catch {
      return false; // busy readers: try again next tick
    }
  }

  #budgets: SqliteBudgetStore | undefined;
  /** Budgets, counters and alert outbox in this database (migration 0016). */
  get budgets(): SqliteBudgetStore {
    this.#budgets ??= new SqliteBudgetStore(
      () => this.init().then(() => this.database()),
      (name) => this.flavor.table(name),
      (fn) => this.#immediate(fn),
    );
    return this.#budgets;
  }

  /** `fn` runs synchronously inside BEGIN IMMEDIATE (waiting asynchronously for another process's lock). */
  async #immediate<T>(fn: (db: SqliteDatabaseLike) => T): Promise<T> {
    await this.init();
    const db = this.#db!;
    for (let delay = 1; db.inTransaction; delay = Math.min(delay * 2, 20))
      await new Promise((r) => setTimeout(r, delay)); // a host transaction on a shared handle: never join it
    await this.#beginImmediateWithRetry(10_000);
    try {
      const out = fn(db);
      db.exec("COMMIT");
      return out;
    } catch (err) {
      if (db.inTransaction) db.exec("ROLLBACK");
      throw err;
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#walTimer) clearInterval(this.#walTimer);
    const db = this.#db;
    if (!db || this.#opts.database) return; // the host's Database stays open
    try {
      db.pragma("wal_checkpoint(TRUNCATE)");
    } catch {
      /* another process is reading; the WAL is checkpointed later */
    }
    await this.#kysely?.destroy(); // closes the better-sqlite3 handle
  }
}

function checkOptions(o: SqliteStorageOptions): void {
  if (!o.path && !o.database) {
    throw new TokenLedgerConfigError(
      "sqliteStorage: give `path` (a file) or `database` (an open better-sqlite3 Database)",
    );
  }
  if (o.durability !== undefined && o.durability !== "normal" && o.durability !== "full") {
    throw new TokenLedgerConfigError(
      `sqliteStorage: durability must be "normal" or "full", got ${JSON.stringify(o.durability)}`,
    );
  }
  const busy = o.busyTimeoutMs;
  if (busy !== undefined && !(Number.isInteger(busy) && busy >= 0)) {
    throw new TokenLedgerConfigError(
      `sqliteStorage: busyTimeoutMs must be a non-negative integer, got ${String(busy)}`,
    );
  }
  if (busy !== undefined && busy > 50 && isMainThread) {
    throw new TokenLedgerConfigError(
      `sqliteStorage: busyTimeoutMs ${busy} would block the event loop; at most 50 on the main thread (retries are asynchronous)`,
    );
  }
  for (const k of ["walCheckpointBytes", "walCheckIntervalMs"] as const) {
    const v = o[k];
    if (v !== undefined && !(Number.isFinite(v) && v > 0)) {
      throw new TokenLedgerConfigError(`sqliteStorage: ${k} must be a positive number, got ${String(v)}`);
    }
  }
}

export function sqliteStorage(options: SqliteStorageOptions): SqliteStorage {
  return new SqliteStorage(options);
}
