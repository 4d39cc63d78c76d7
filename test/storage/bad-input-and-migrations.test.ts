import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { StorageError, TokenLedgerConfigError } from "tokenledger";
import {
  migrateToLatest as pgMigrate,
  migrationStatus as pgStatus,
  postgresStorage,
} from "tokenledger/postgres";
import { migrateToLatest, migrationStatus, sqliteStorage } from "tokenledger/sqlite";
import { describePg, dropSchema, pgQuery, pgUrl, uniqueSchema } from "../helpers/pg.js";
import { ledgerEvent } from "../contract/ledger-events.js";
import { postgresMigrations } from "../../adapters/postgres/postgres-migrations.js";
import { SQLITE_MIGRATIONS } from "../../adapters/sqlite/sqlite-migrations.js";

const dir = mkdtempSync(join(tmpdir(), "tl-bad-"));
const schemas: string[] = [];
afterAll(async () => {
  chmodSync(dir, 0o755);
  rmSync(dir, { recursive: true, force: true });
  const url = pgUrl();
  if (url) for (const s of schemas) await dropSchema(url, s);
});
// The full lists come from the adapters, so a new migration does not need edits here; the
// first steps are pinned because their order is what existing ledgers were migrated through.
const PG_ALL = postgresMigrations("x").map((m) => m.name);
// SQLite drops its rollup triggers in 0005 (the adapter upserts per batch); PostgreSQL keeps them.
const ALL = SQLITE_MIGRATIONS.map((m) => m.name);
const FIRST = ["0001_events", "0002_hourly_rollup", "0003_views", "0004_rollup_projections"];

describe("SQLite options and migrations", () => {
  it("rejects bad options naming the option", () => {
    expect(() => sqliteStorage({})).toThrow(TokenLedgerConfigError);
    expect(() => sqliteStorage({ path: "x.db", busyTimeoutMs: 5000 })).toThrow(
      /busyTimeoutMs 5000 would block the event loop/,
    );
    expect(() => sqliteStorage({ path: "x.db", durability: "paranoid" as "full" })).toThrow(
      /durability must be "normal" or "full"/,
    );
    expect(() => sqliteStorage({ path: "x.db", walCheckpointBytes: -1 })).toThrow(/walCheckpointBytes/);
  });

  it("names the file when its directory cannot be created", async () => {
    const locked = join(dir, "locked");
    mkdirSync(locked);
    chmodSync(locked, 0o555);
    const target = join(locked, "missing", "ledger.db");
    const err = await sqliteStorage({ path: target })
      .init()
      .catch((e: unknown) => e);
    if (process.getuid?.() !== 0) {
      // root ignores directory permissions; the case below fails for everyone
      expect(err).toBeInstanceOf(StorageError);
      expect((err as Error).message).toContain(target);
    }
    writeFileSync(join(dir, "plain-file"), "");
    const underFile = join(dir, "plain-file", "missing", "ledger.db");
    const err2 = await sqliteStorage({ path: underFile })
      .init()
      .catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(StorageError);
    expect((err2 as Error).message).toMatch(
      new RegExp(`cannot open ${underFile.replace(/[/.]/g, "\\$&")}.*ENOTDIR`),
    );
  });

  it("creates parent directories, migrates on init, and reports status; migrate:false leaves it to the CLI", async () => {
    const path = join(dir, "a", "b", "ledger.db");
    const manual = sqliteStorage({ path, migrate: false });
    await manual.init();
    expect(ALL.slice(0, 4)).toEqual(FIRST);
    expect(PG_ALL.slice(0, 4)).toEqual(FIRST);
    expect(await migrationStatus(manual)).toEqual({ applied: [], pending: ALL });
    await expect(manual.insertBatch([ledgerEvent()])).rejects.toBeInstanceOf(StorageError);
    expect(await migrateToLatest(manual)).toEqual(ALL);
    expect(await migrateToLatest(manual)).toEqual([]);
    await manual.insertBatch([ledgerEvent()]);
    await manual.close();

    const auto = sqliteStorage({ path });
    await auto.init();
    expect(await migrationStatus(auto)).toEqual({ applied: ALL, pending: [] });
    expect((await auto.rollup({})).totals.events).toBe(1);
    await auto.close();
  });

  it("insertBatchSync stores a batch synchronously and reports failure instead of throwing", async () => {
    const s = sqliteStorage({ path: join(dir, "sync.db") });
    expect(s.insertBatchSync([ledgerEvent()])).toBe(false); // not initialised: nothing to write into
    await s.init();
    expect(s.insertBatchSync([ledgerEvent(), ledgerEvent()])).toBe(true);
    await s.close();
    expect(s.insertBatchSync([ledgerEvent()])).toBe(false);
  });
});

describe("PostgreSQL options", () => {
  it("rejects a bad URL and masks its password", () => {
    expect(() => postgresStorage({ connectionString: "mysql://u:hunter22@h/db" })).toThrow(
      /connectionString "mysql:\/\/u:\*\*\*\*@h\/db" is not a PostgreSQL URL/,
    );
    expect(() => postgresStorage({ connectionString: "nonsense" })).toThrow(TokenLedgerConfigError);
    expect(() => postgresStorage({})).toThrow(/exactly one of `connectionString`, `pool` or `kysely`/);
    expect(() => postgresStorage({ connectionString: "postgres://h/db", schema: "x; drop" })).toThrow(
      /schema/,
    );
  });

  it("an unreachable server gives a transient error naming the target, password masked", async () => {
    const s = postgresStorage({ connectionString: "postgres://app:hunter22@127.0.0.1:1/ledger" });
    const err = (await s.init().catch((e: unknown) => e)) as StorageError;
    expect(err).toBeInstanceOf(StorageError);
    expect(err.kind).toBe("transient");
    expect(err.message).toContain("postgres://app:****@127.0.0.1:1/ledger");
    expect(err.message).not.toContain("hunter22");
    await s.close();
  });
});

describePg("PostgreSQL migrations", () => {
  it("several processes' storages migrating at once apply each step once", async () => {
    const schema = uniqueSchema("tl_mig");
    schemas.push(schema);
    const storages = Array.from({ length: 4 }, () => postgresStorage({ connectionString: pgUrl()!, schema }));
    await Promise.all(storages.map((s) => s.init()));
    const rows = await pgQuery<{ name: string }>(
      pgUrl()!,
      `select name from "${schema}".token_ledger_migrations order by name`,
    );
    expect(rows.map((r) => r.name)).toEqual(PG_ALL);
    expect(await pgStatus(storages[0]!)).toEqual({ applied: PG_ALL, pending: [] });
    expect(await pgMigrate(storages[1]!)).toEqual([]);
    await Promise.all(storages.map((s) => s.close()));
  });

  it("never closes a pool the host passed in", async () => {
    const pg = await import("pg");
    const pool = new pg.default.Pool({ connectionString: pgUrl()!, max: 2 });
    const schema = uniqueSchema("tl_pool");
    schemas.push(schema);
    const s = postgresStorage({ pool, schema });
    await s.init();
    await s.insertBatch([ledgerEvent()]);
    await s.close();
    expect((await pool.query("select 1 as one")).rows[0].one).toBe(1);
    expect(pool.listenerCount("error")).toBe(0);
    await pool.end();
  });
});
