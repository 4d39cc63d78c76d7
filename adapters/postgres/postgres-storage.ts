import { Kysely, PostgresDialect, sql, type PostgresPool } from "kysely";
import { isOtherSchemaVanished, VANISHED_SCHEMA_RETRIES } from "./vanished-schema.js";
import type { LedgerEvent, Logger } from "tokenledger/storage-kit";
import { StorageError, TokenLedgerConfigError, redactSecrets, toStorageError } from "tokenledger/storage-kit";
import { maskDatabaseUrl } from "tokenledger/storage-kit";
import { eventRowShape, type EventRowShape } from "../_kysely/event-row.js";
import { KyselyStorage } from "../_kysely/kysely-storage.js";
import { ledgerRefusal } from "../_kysely/ledger-identity.js";
import { ledgerMigrator, readStatus, runMigrations, type MigrationStatus } from "../_kysely/migrator.js";
import { MIGRATION_TABLE, type LedgerDatabase, type LedgerDb } from "../_kysely/schema.js";
import { loadPgPool, parsePgUrl } from "./postgres-driver.js";
import { endOwnPool } from "./pool-close.js";
import { postgresMigrations } from "./postgres-migrations.js";
import { postgresFlavor } from "./postgres-sql.js";
import { PostgresBudgetStore } from "./postgres-budget-store.js";
import {
  POSTGRES_DEFAULTS,
  type PgClientLike,
  type PgNoticeLike,
  type PgPoolLike,
  type PostgresStorageOptions,
} from "./postgres-storage-config.js";

// 41 columns × 1000 rows stays under PostgreSQL's 65535 bind parameters.
const CHUNK = 1000;
const CONVERT = {
  ts: (d: Date) => d,
  bool: (b: boolean) => b,
  cost: (c: string | null) => c,
  json: (m: unknown) => JSON.stringify(m),
};
const stderrLogger: Logger = {
  warn: (m) => process.stderr.write(`[tokenledger] warn: ${m}\n`),
  error: (m) => process.stderr.write(`[tokenledger] error: ${m}\n`),
};

/** `postgres://user:****@host/db?sslpassword=****`: safe to print. */
export function maskUrl(url: string): string {
  return maskDatabaseUrl(url);
}

/**
 * PostgreSQL storage. Its own pool is small (max 4) with connect/idle/statement timeouts and an `error`
 * listener (an idle client losing its server must not crash the host). A pool or Kysely instance the host
 * passes in is used but never closed.
 */
export class PostgresStorage extends KyselyStorage {
  readonly kind = "postgres";
  protected readonly flavor;
  readonly #opts: PostgresStorageOptions;
  readonly #schema: string;
  readonly #target: string;
  readonly #log: Logger;
  readonly #timeoutMs: number;
  #kysely: LedgerDb | undefined;
  #pool: PgPoolLike | undefined;
  #ownsPool = false;
  #init: Promise<void> | undefined;
  #closed = false;
  #poolErrors = 0;
  readonly #onPoolError = (err: Error): void => {
    this.#poolErrors++;
    try {
      this.#log.warn(
        `postgres ${this.#target}: idle connection error (${redactSecrets(err.message)}); it will reconnect`,
      );
    } catch {
      /* a logger must not break tracking */
    }
  };

  // pg emits `error` on a checked-out client whose connection drops mid-query (besides rejecting the query);
  // the pool only listens while clients are idle, so without this the host process would crash.
  readonly #onConnect = (client: PgClientLike): void => {
    client.on("error", this.#onPoolError);
    if (this.#ownsPool) client.on("notice", this.#onNotice);
  };

  // Server messages on our own connections go to the configured logger (warnings as warnings, the rest as
  // debug), never to the console; a host's pool keeps its own notice handling.
  readonly #onNotice = (notice: PgNoticeLike): void => {
    try {
      const text = `postgres ${this.#target}: server ${String(notice.severity ?? "notice").toLowerCase()}: ${redactSecrets(String(notice.message ?? ""))}`;
      if (notice.severity === "WARNING") this.#log.warn(text);
      else this.#log.debug?.(text);
    } catch {
      /* a logger must not break tracking */
    }
  };

  constructor(options: PostgresStorageOptions) {
    super();
    this.#opts = Object.freeze({ ...options });
    this.#schema = options.schema ?? POSTGRES_DEFAULTS.schema;
    this.#timeoutMs = options.statementTimeoutMs ?? POSTGRES_DEFAULTS.statementTimeoutMs;
    this.#log = options.logger ?? stderrLogger;
    checkOptions(options);
    this.#target = options.connectionString
      ? maskUrl(options.connectionString)
      : options.pool
        ? "(host pool)"
        : "(host kysely)";
    this.flavor = postgresFlavor(this.#schema);
  }

  #warn(message: string): void {
    try {
      this.#log.warn(message);
    } catch {
      /* a logger must not break tracking */
    }
  }

  /** Connection errors pg reported (idle or busy clients: server restarts, terminated backends); none reached the host. */
  get poolErrors(): number {
    return this.#poolErrors;
  }

  protected async database(): Promise<LedgerDb> {
    if (this.#closed) throw new StorageError(`postgres ${this.#target}: storage is closed`, "backend");
    if (this.#kysely) return this.#kysely;
    const o = this.#opts;
    if (o.kysely) {
      this.#kysely = o.kysely as unknown as LedgerDb;
      return this.#kysely;
    }
    let pool = o.pool;
    if (!pool) {
      const Pool = loadPgPool();
      const url = o.connectionString!;
      const parsed = parsePgUrl(url, (warning) =>
        this.#warn(`postgres ${this.#target}: ${redactSecrets(warning)}`),
      );
      pool = new Pool({
        ...(parsed ? {} : { connectionString: url }),
        max: POSTGRES_DEFAULTS.max,
        connectionTimeoutMillis: POSTGRES_DEFAULTS.connectionTimeoutMillis,
        idleTimeoutMillis: POSTGRES_DEFAULTS.idleTimeoutMillis,
        application_name: o.applicationName ?? POSTGRES_DEFAULTS.applicationName,
        statement_timeout: this.#timeoutMs,
        // Client-side backstop when the server cannot even answer (network partition).
        query_timeout: this.#timeoutMs + 2000,
        allowExitOnIdle: true,
        // What pg itself does with a URL: its fields override the options above.
        ...parsed,
      });
      this.#ownsPool = true;
    }
    pool.on("error", this.#onPoolError);
    pool.on("connect", this.#onConnect);
    this.#pool = pool;
    this.#kysely = new Kysely<LedgerDatabase>({
      dialect: new PostgresDialect({ pool: pool as unknown as PostgresPool }),
    });
    return this.#kysely;
  }

  init(): Promise<void> {
    this.#init ??= this.#doInit().catch((err: unknown) => {
      this.#init = undefined;
      throw err;
    });
    return this.#init;
  }

  async #doInit(): Promise<void> {
    const db = await this.database();
    try {
      await sql`select 1`.execute(db);
    } catch (err) {
      throw toStorageError(err, `postgres ${this.#target}: cannot connect`);
    }
    await this.#refuseUnlessLedger(db);
    if (this.#opts.migrate !== false) await this.migrateToLatest();
  }

  #identityChecked = false;

  #shape: Promise<EventRowShape> | undefined;
  /**
   * The insert for the columns token_ledger_events has (see eventRowShape: a `migrate: false` ledger may lack the
   * newest optional columns). Read once per process and again after this process migrates.
   */
  #rowShape(db: LedgerDb): Promise<EventRowShape> {
    this.#shape ??= sql<{ column_name: string }>`select column_name from information_schema.columns
        where table_schema = ${this.#schema} and table_name = 'token_ledger_events'`
      .execute(db)
      .then((r) => {
        const existing = new Set(r.rows.map((row) => row.column_name));
        if (existing.size === 0)
          throw new StorageError(
            `postgres ${this.#target}: no events table in schema ${this.#schema} yet (migrations pending: run \`tokenledger db migrate\`)`,
            "backend",
          );
        return eventRowShape("cost_usd", existing);
      })
      .catch((err: unknown) => {
        this.#shape = undefined; // let a later write read it again
        throw err instanceof StorageError
          ? err
          : toStorageError(err, `postgres ${this.#target}: reading the schema`);
      });
    return this.#shape;
  }

  /**
   * Another application's schema, or a ledger a newer tokenledger migrated: refused before anything is written.
   * `public` is shared with the host's tables by design (the ledger's are prefixed), so only a newer ledger is
   * refused there.
   */
  async #refuseUnlessLedger(db: LedgerDb): Promise<void> {
    if (this.#identityChecked) return;
    const where = `postgres ${this.#target} schema "${this.#schema}"`;
    let tables: string[];
    let applied: string[] | null = null;
    try {
      tables = (await this.flavor.tableNames.execute(db)).rows.map((r) => r.name);
      if (tables.includes(MIGRATION_TABLE))
        applied = (
          await sql<{
            name: string;
          }>`select name from ${sql.table(`${this.#schema}.${MIGRATION_TABLE}`)}`.execute(db)
        ).rows.map((r) => r.name);
    } catch (err) {
      throw toStorageError(err, `${where}: reading the schema`);
    }
    const known = postgresMigrations(this.#schema).map((m) => m.name);
    const refusal = ledgerRefusal({ tables, applied }, { where, known, shared: this.#schema === "public" });
    if (refusal) throw new StorageError(refusal, "backend");
    this.#identityChecked = true;
  }

  /** Kysely's migrator holds a PostgreSQL advisory lock, so processes starting together apply each step once. */
  async migrateToLatest(): Promise<string[]> {
    const db = await this.database();
    await this.#refuseUnlessLedger(db);
    for (let attempt = 0; ; attempt++) {
      try {
        const applied = await runMigrations(
          ledgerMigrator(db as never, postgresMigrations(this.#schema), this.#schema),
        );
        this.#shape = undefined; // new columns, if any, are written from now on
        return applied;
      } catch (err) {
        // Another process dropped its own schema during the migrator's database-wide lookup: ours is fine.
        if (attempt < VANISHED_SCHEMA_RETRIES && isOtherSchemaVanished(err, this.#schema)) continue;
        throw toStorageError(err, `postgres ${this.#target}: migrations`);
      }
    }
  }

  async migrationStatus(): Promise<MigrationStatus> {
    const db = await this.database();
    await this.#refuseUnlessLedger(db);
    return readStatus(ledgerMigrator(db as never, postgresMigrations(this.#schema), this.#schema));
  }

  async insertBatch(events: readonly LedgerEvent[]): Promise<void> {
    await this.init();
    if (events.length === 0) return;
    const db = await this.database();
    const table = sql.table(`${this.#schema}.token_ledger_events`);
    const shape = await this.#rowShape(db);
    const cols = sql.join(shape.columns.map((c) => sql.ref(c)));
    const statement = (rows: readonly LedgerEvent[]) =>
      sql`insert into ${table} (${cols}) values ${sql.join(
        rows.map((e) => sql`(${sql.join(shape.values(e, CONVERT))})`),
      )} on conflict (id) do nothing`;
    try {
      if (this.#ownsPool && events.length <= CHUNK) {
        await statement(events).execute(db); // one statement is atomic; the pool sets statement_timeout
        return;
      }
      await db.transaction().execute(async (trx) => {
        await sql.raw(`set local statement_timeout = ${Math.trunc(this.#timeoutMs)}`).execute(trx);
        for (let i = 0; i < events.length; i += CHUNK)
          await statement(events.slice(i, i + CHUNK)).execute(trx);
      });
    } catch (err) {
      throw toStorageError(err, `postgres ${this.#target}: insert`);
    }
  }

  /**
   * insertBatch that also says which ids were new (`returning id` lists only the rows inserted; the others were
   * already stored): the server's idempotency check in the same statement. One transaction for all chunks.
   */
  async insertNew(events: readonly LedgerEvent[]): Promise<string[]> {
    await this.init();
    if (events.length === 0) return [];
    const db = await this.database();
    const table = sql.table(`${this.#schema}.token_ledger_events`);
    const shape = await this.#rowShape(db);
    const cols = sql.join(shape.columns.map((c) => sql.ref(c)));
    const statement = (rows: readonly LedgerEvent[]) =>
      sql<{ id: string }>`insert into ${table} (${cols}) values ${sql.join(
        rows.map((e) => sql`(${sql.join(shape.values(e, CONVERT))})`),
      )} on conflict (id) do nothing returning id`;
    try {
      if (events.length <= CHUNK) return (await statement(events).execute(db)).rows.map((r) => String(r.id));
      return await db.transaction().execute(async (trx) => {
        await sql.raw(`set local statement_timeout = ${Math.trunc(this.#timeoutMs)}`).execute(trx);
        const ids: string[] = [];
        for (let i = 0; i < events.length; i += CHUNK)
          ids.push(
            ...(await statement(events.slice(i, i + CHUNK)).execute(trx)).rows.map((r) => String(r.id)),
          );
        return ids;
      });
    } catch (err) {
      throw toStorageError(err, `postgres ${this.#target}: insert`);
    }
  }

  /** Insert or overwrite by id: delete + insert in one transaction; the 0015 delete triggers fix the rollups. */
  async replaceBatch(events: readonly LedgerEvent[]): Promise<void> {
    await this.init();
    if (events.length === 0) return;
    const db = await this.database();
    const table = sql.table(`${this.#schema}.token_ledger_events`);
    const shape = await this.#rowShape(db);
    const cols = sql.join(shape.columns.map((c) => sql.ref(c)));
    try {
      await db.transaction().execute(async (trx) => {
        await sql.raw(`set local statement_timeout = ${Math.trunc(this.#timeoutMs)}`).execute(trx);
        for (let i = 0; i < events.length; i += CHUNK) {
          const rows = events.slice(i, i + CHUNK);
          await sql`delete from ${table} where id = any(${rows.map((e) => e.id)}::uuid[])`.execute(trx);
          await sql`insert into ${table} (${cols}) values ${sql.join(
            rows.map((e) => sql`(${sql.join(shape.values(e, CONVERT))})`),
          )} on conflict (id) do nothing`.execute(trx);
        }
      });
    } catch (err) {
      throw toStorageError(err, `postgres ${this.#target}: replace`);
    }
  }

  #budgets: PostgresBudgetStore | undefined;
  /** Budgets, counters and alert outbox in this schema (migration 0016). */
  get budgets(): PostgresBudgetStore {
    this.#budgets ??= new PostgresBudgetStore(
      () => this.init().then(() => this.database()),
      (name) => this.flavor.table(name),
    );
    return this.#budgets;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const pool = this.#pool;
    if (this.#ownsPool) {
      // Ends the pool we created; connections still busy after a short grace are cut.
      if (this.#kysely) await endOwnPool(this.#kysely.destroy(), pool);
    } else if (pool) {
      // The host's pool stays open; only our listener goes.
      pool.removeListener("error", this.#onPoolError);
      pool.removeListener("connect", this.#onConnect);
    }
  }
}

function checkOptions(o: PostgresStorageOptions): void {
  const given = [o.connectionString, o.pool, o.kysely].filter((x) => x !== undefined).length;
  if (given !== 1) {
    throw new TokenLedgerConfigError(
      "postgresStorage: give exactly one of `connectionString`, `pool` or `kysely`",
    );
  }
  if (o.connectionString !== undefined) {
    let ok = false;
    try {
      const u = new URL(o.connectionString);
      ok =
        (u.protocol === "postgres:" || u.protocol === "postgresql:") &&
        (u.hostname !== "" || u.searchParams.has("host"));
    } catch {
      ok = false;
    }
    if (!ok) {
      throw new TokenLedgerConfigError(
        `postgresStorage: connectionString "${maskUrl(o.connectionString)}" is not a PostgreSQL URL (expected postgres://user@host:5432/db)`,
      );
    }
  }
  if (o.schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_$]{0,62}$/.test(o.schema)) {
    throw new TokenLedgerConfigError(
      `postgresStorage: schema ${JSON.stringify(o.schema)} is not a plain identifier`,
    );
  }
  const t = o.statementTimeoutMs;
  if (t !== undefined && !(Number.isInteger(t) && t > 0)) {
    throw new TokenLedgerConfigError(
      `postgresStorage: statementTimeoutMs must be a positive integer, got ${String(t)}`,
    );
  }
}

export function postgresStorage(options: PostgresStorageOptions): PostgresStorage {
  return new PostgresStorage(options);
}
