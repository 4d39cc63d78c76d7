import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import {
  SQLITE_VERSION_FLOOR,
  sqliteStorage,
  sqliteVersionWarning,
  type SqliteDatabaseLike,
} from "tokenledger/sqlite";

const dir = mkdtempSync(join(tmpdir(), "tl-p22-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A real database whose `sqlite_version()` answer is replaced, to see what init does on an old build. */
function withVersion(db: Database.Database, version: string): SqliteDatabaseLike {
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop === "prepare") {
        return (source: string) =>
          /sqlite_version\(\)/.test(source) ? { get: () => ({ v: version }) } : target.prepare(source);
      }
      const v = Reflect.get(target, prop, receiver);
      return typeof v === "function" ? v.bind(target) : v;
    },
  }) as unknown as SqliteDatabaseLike;
}

describe("P22: SQLite version floor (WAL-reset bug fixed in 3.51.3)", () => {
  it("flags versions below 3.51.3 and accepts the floor and later", () => {
    expect(SQLITE_VERSION_FLOOR).toBe("3.51.3");
    for (const v of ["3.51.2", "3.7.0", "3.40.1", "3.9.10"])
      expect(sqliteVersionWarning(v)).toMatch(/WAL-reset bug/);
    for (const v of ["3.51.3", "3.52.0", "3.53.2", "4.0.0", "3.51.10"])
      expect(sqliteVersionWarning(v)).toBeNull();
  });

  it("warns loudly at init when the linked SQLite is too old, and not otherwise", async () => {
    const warnings: string[] = [];
    const logger = { warn: (m: string) => warnings.push(m), error: () => {} };
    const old = new Database(join(dir, "old.db"));
    const storage = sqliteStorage({ database: withVersion(old, "3.51.2"), logger });
    await storage.init();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/SQLite 3\.51\.2 has the WAL-reset bug.*better-sqlite3 to 12\.8\.0/);
    await storage.close();
    old.close();

    const fine = sqliteStorage({ path: join(dir, "new.db"), logger });
    await fine.init();
    expect(warnings).toHaveLength(1);
    await fine.close();
  });

  it("the bundled better-sqlite3 links a safe SQLite", () => {
    const db = new Database(":memory:");
    const v = (db.prepare("select sqlite_version() as v").get() as { v: string }).v;
    db.close();
    expect(sqliteVersionWarning(v)).toBeNull();
  });
});
