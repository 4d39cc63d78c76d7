import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { StorageError } from "tokenledger";
import { postgresStorage } from "tokenledger/postgres";
import { sqliteStorage } from "tokenledger/sqlite";
import { runCli, sandbox } from "../helpers/cli.js";
import { describePg, dropSchema, pgQuery, pgUrl, uniqueSchema } from "../helpers/pg.js";
import { ledgerEvent } from "../contract/ledger-events.js";

const dir = mkdtempSync(join(tmpdir(), "tl-foreign-"));
const schemas: string[] = [];
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  const url = pgUrl();
  if (url) for (const s of schemas) await dropSchema(url, s);
});

const digest = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

/** Another application's SQLite database: a users table, no tokenledger tables. */
function appDatabase(name: string): string {
  const file = join(dir, name);
  const db = new Database(file);
  db.exec(
    "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT); INSERT INTO users (email) VALUES ('a@b.c')",
  );
  db.close();
  return file;
}

/** A ledger this version migrated, then marked with a migration from a future version. */
async function newerLedger(name: string): Promise<string> {
  const file = join(dir, name);
  const s = sqliteStorage({ path: file });
  await s.init();
  await s.insertBatch([ledgerEvent()]);
  await s.close();
  const db = new Database(file);
  db.prepare("INSERT INTO token_ledger_migrations (name, timestamp) VALUES (?, ?)").run(
    "9999_from_the_future",
    new Date().toISOString(),
  );
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
  return file;
}

describe("SQLite: only a tokenledger ledger of a known version is opened", () => {
  it("another application's database is refused by name and reason; the file is unchanged", async () => {
    const file = appDatabase("app.db");
    const before = digest(file);
    const s = sqliteStorage({ path: file });
    const err = (await s.init().catch((e: unknown) => e)) as StorageError;
    expect(err).toBeInstanceOf(StorageError);
    expect(err.message).toContain(`sqlite ${file} is not a tokenledger ledger`);
    expect(err.message).toContain("other tables (users)");
    expect(err.message).toContain("no token_ledger_migrations table");
    await s.close();
    expect(digest(file)).toBe(before);
    expect(existsSync(`${file}-wal`)).toBe(false);
    const db = new Database(file, { readonly: true });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all();
    expect(tables).toEqual([{ name: "users" }]);
    expect(db.pragma("journal_mode", { simple: true })).toBe("delete"); // never switched to WAL
    db.close();
  });

  it("a ledger with a migration newer than this version is refused, naming the migration; nothing written", async () => {
    const file = await newerLedger("newer.db");
    const before = digest(file);
    for (const migrate of [true, false]) {
      const s = sqliteStorage({ path: file, migrate });
      const err = (await s.init().catch((e: unknown) => e)) as StorageError;
      expect(err).toBeInstanceOf(StorageError);
      expect(err.message).toContain(`sqlite ${file} was migrated by a newer tokenledger`);
      expect(err.message).toContain("9999_from_the_future");
      await s.close();
    }
    expect(digest(file)).toBe(before);
  });

  it("a file that is not SQLite at all is refused as such", async () => {
    const file = join(dir, "notes.txt");
    writeFileSync(file, "these are my notes, not a database\n".repeat(200));
    const err = (await sqliteStorage({ path: file })
      .init()
      .catch((e: unknown) => e)) as StorageError;
    expect(err.message).toContain(`sqlite ${file} is not a SQLite database`);
    expect(readFileSync(file, "utf8")).toBe("these are my notes, not a database\n".repeat(200));
  });

  it("a host-shared handle with the host's own tables is still accepted (sharing is deliberate)", async () => {
    const db = new Database(join(dir, "shared.db"));
    db.exec("CREATE TABLE orders (id INTEGER PRIMARY KEY)");
    const s = sqliteStorage({ database: db });
    await s.init();
    await s.insertBatch([ledgerEvent()]);
    expect(db.prepare("SELECT count(*) AS n FROM token_ledger_events").get()).toEqual({ n: 1 });
    await s.close();
    db.close();
  });

  it("the read-only CLI commands refuse too, with the message, exit 1, file unchanged", async () => {
    const box = sandbox();
    const foreign = appDatabase("cli-app.db");
    const newer = await newerLedger("cli-newer.db");
    for (const [file, why] of [
      [foreign, "is not a tokenledger ledger"],
      [newer, "was migrated by a newer tokenledger"],
    ] as const) {
      const before = digest(file);
      for (const command of ["report", "export"]) {
        const r = await runCli(["--db", file, command], { env: box.env });
        expect(r.code, r.stderr).toBe(1);
        expect(r.stderr).toContain(`sqlite ${file} ${why}`);
        expect(r.stdout).toBe("");
      }
      expect(digest(file)).toBe(before);
    }
  }, 60_000);
});

describePg("PostgreSQL: only a tokenledger schema of a known version is opened", () => {
  it("a schema holding another application's tables is refused; nothing created in it", async () => {
    const url = pgUrl()!;
    const schema = uniqueSchema("tl_foreign");
    schemas.push(schema);
    await pgQuery(url, `create schema "${schema}"; create table "${schema}".customers (id int primary key)`);
    const s = postgresStorage({ connectionString: url, schema });
    const err = (await s.init().catch((e: unknown) => e)) as StorageError;
    await s.close();
    expect(err).toBeInstanceOf(StorageError);
    expect(err.message).toContain(`schema "${schema}" is not a tokenledger ledger`);
    expect(err.message).toContain("other tables (customers)");
    const tables = await pgQuery<{ table_name: string }>(
      url,
      "select table_name from information_schema.tables where table_schema = $1",
      [schema],
    );
    expect(tables.map((t) => t.table_name)).toEqual(["customers"]);
  });

  it("a ledger with a newer migration is refused (init and migration status); nothing applied", async () => {
    const url = pgUrl()!;
    const schema = uniqueSchema("tl_newer");
    schemas.push(schema);
    const first = postgresStorage({ connectionString: url, schema });
    await first.init();
    await first.close();
    await pgQuery(url, `insert into "${schema}".token_ledger_migrations (name, timestamp) values ($1, $2)`, [
      "9999_from_the_future",
      new Date().toISOString(),
    ]);
    const count = async () =>
      (
        await pgQuery<{ n: string }>(
          url,
          `select count(*)::text as n from "${schema}".token_ledger_migrations`,
        )
      )[0]!.n;
    const before = await count();
    const s = postgresStorage({ connectionString: url, schema, migrate: false });
    for (const attempt of [() => s.init(), () => s.migrationStatus(), () => s.migrateToLatest()]) {
      const err = (await attempt().catch((e: unknown) => e)) as StorageError;
      expect(err).toBeInstanceOf(StorageError);
      expect(err.message).toContain(`schema "${schema}" was migrated by a newer tokenledger`);
      expect(err.message).toContain("9999_from_the_future");
    }
    await s.close();
    expect(await count()).toBe(before);
  });

  it("the public schema is shared with the host's tables by design: a ledger is created beside them", async () => {
    const url = pgUrl()!;
    const database = uniqueSchema("tl_public");
    await pgQuery(url, `create database "${database}"`);
    const dbUrl = new URL(url);
    dbUrl.pathname = `/${database}`;
    try {
      await pgQuery(dbUrl.href, "create table customers (id int primary key)");
      const s = postgresStorage({ connectionString: dbUrl.href });
      await s.init();
      await s.insertBatch([ledgerEvent()]);
      await s.close();
      const rows = await pgQuery<{ n: string }>(
        dbUrl.href,
        "select count(*)::text as n from token_ledger_events",
      );
      expect(rows[0]!.n).toBe("1");
    } finally {
      await pgQuery(url, `drop database if exists "${database}" with (force)`);
    }
  });
});
