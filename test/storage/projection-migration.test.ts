import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import type { LedgerEvent, RollupQuery } from "tokenledger";
import { memoryStorage } from "tokenledger/memory";
import { migrateToLatest, migrationStatus, sqliteStorage } from "tokenledger/sqlite";
import {
  migrateToLatest as pgMigrate,
  migrationStatus as pgStatus,
  postgresStorage,
} from "tokenledger/postgres";
import type { KyselyStorage } from "../../adapters/_kysely/kysely-storage.js";
import { ledgerMigrator, runMigrations } from "../../adapters/_kysely/migrator.js";
import { PROJECTIONS } from "../../adapters/_kysely/projections.js";
import { postgresMigrations } from "../../adapters/postgres/postgres-migrations.js";
import { SQLITE_MIGRATIONS } from "../../adapters/sqlite/sqlite-migrations.js";
import { ledgerEvent } from "../contract/ledger-events.js";
import { describePg, dropSchema, pgQuery, pgUrl, uniqueSchema } from "../helpers/pg.js";

const dir = mkdtempSync(join(tmpdir(), "tl-proj-mig-"));
const schemas: string[] = [];
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  const url = pgUrl();
  if (url) for (const s of schemas) await dropSchema(url, s);
});

const BEFORE = ["0001_events", "0002_hourly_rollup", "0003_views"];

/** Three days of events with missing attribution, weights and unpriced calls. */
function events(): LedgerEvent[] {
  return Array.from({ length: 600 }, (_, i) =>
    ledgerEvent({
      at: Date.UTC(2026, 10, 18) + i * 431_000,
      model: ["a", "b", "c"][i % 3]!,
      userId: i % 4 === 0 ? null : `u${i % 9}`,
      teamId: i % 5 === 0 ? null : `t${i % 2}`,
      app: i % 2 ? "web" : null,
      costUsd: i % 13 === 0 ? null : ["0.000000037500", "1.5", "0.000123456789"][i % 3]!,
      unpriced: i % 13 === 0,
      sampleWeight: i % 7 === 0 ? 4 : 1,
    }),
  );
}

const QUERY: RollupQuery = {
  since: new Date(Date.UTC(2026, 10, 18)),
  until: new Date(Date.UTC(2026, 10, 22)),
  groupBy: [],
};

/** Upgrading a ledger from 0003 backfills every new projection so it answers exactly as the events do. */
async function expectBackfilled(s: KyselyStorage, evs: readonly LedgerEvent[]): Promise<void> {
  const ref = memoryStorage();
  await ref.insertBatch(evs);
  const expected = await ref.rollup(QUERY);
  for (const p of PROJECTIONS) {
    s.forceProjection = p.table;
    const got = await s.rollup({ ...QUERY, groupBy: p.dims.filter((d) => d === "model" || d === "user") });
    const want = await ref.rollup({ ...QUERY, groupBy: p.dims.filter((d) => d === "model" || d === "user") });
    expect(got, p.table).toEqual(want);
    expect(got.totals, p.table).toEqual(expected.totals);
  }
  s.forceProjection = null;
}

describe("0004_rollup_projections on an existing SQLite ledger", () => {
  it("a ledger still at 0003 keeps answering (hourly table or scan), then the migration backfills the projections", async () => {
    const path = join(dir, "old.db");
    const raw = new Database(path);
    raw.pragma("journal_mode = WAL");
    const k = new Kysely<unknown>({ dialect: new SqliteDialect({ database: raw }) });
    expect(await runMigrations(ledgerMigrator(k, SQLITE_MIGRATIONS.slice(0, 3)))).toEqual(BEFORE);
    await k.destroy();

    const evs = events();
    const s = sqliteStorage({ path, migrate: false });
    await s.init();
    await s.insertBatch(evs);
    // At 0003 the hourly table is still kept by its trigger: the adapter must not sum it a second time.
    const sqliteLater = SQLITE_MIGRATIONS.slice(3).map((m) => m.name);
    expect(sqliteLater.slice(0, 2)).toEqual(["0004_rollup_projections", "0005_rollups_by_adapter"]);
    expect((await migrationStatus(s)).pending).toEqual(sqliteLater);
    const old = await s.rollup(QUERY);
    expect(s.lastProjection).toBe("token_ledger_hourly"); // the only table there yet
    s.forceProjection = "token_ledger_daily";
    await expect(s.rollup(QUERY)).rejects.toThrow(
      /token_ledger_daily cannot answer this query \(its table does not exist yet: a migration is pending\)/,
    );
    s.forceProjection = null;

    expect(await migrateToLatest(s)).toEqual(sqliteLater);
    expect(await s.rollup(QUERY)).toEqual(old);
    expect(s.lastProjection).toBe("token_ledger_hourly_model");
    await expectBackfilled(s, evs);
    // The rebuilt views read the new tables and agree with the old ones' meaning.
    const db = new Database(path, { readonly: true });
    const views = db
      .prepare(
        "select sum(events) as n from token_ledger_daily_costs union all select sum(events) from token_ledger_user_costs",
      )
      .all() as { n: number }[];
    db.close();
    expect(views.map((v) => v.n)).toEqual([evs.length, evs.length]);
    await s.close();
  });
});

describePg("0004_rollup_projections on an existing PostgreSQL ledger", () => {
  it("backfills inside the migration; later inserts reach every projection once", async () => {
    const url = pgUrl()!;
    const schema = uniqueSchema("tl_proj_mig");
    schemas.push(schema);
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    const k = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
    expect(await runMigrations(ledgerMigrator(k, postgresMigrations(schema).slice(0, 3), schema))).toEqual(
      BEFORE,
    );
    await k.destroy();

    const evs = events();
    const s = postgresStorage({ connectionString: url, schema, migrate: false });
    await s.init();
    await s.insertBatch(evs.slice(0, 400));
    const pgLater = postgresMigrations(schema)
      .slice(3)
      .map((m) => m.name);
    expect(pgLater[0]).toBe("0004_rollup_projections");
    expect((await pgStatus(s)).pending).toEqual(pgLater);
    await s.rollup(QUERY);
    expect(s.lastProjection).toBe("token_ledger_hourly");

    expect(await pgMigrate(s)).toEqual(pgLater);
    await s.insertBatch(evs); // 400 duplicates and 200 new rows
    await expectBackfilled(s, evs);
    const views = await pgQuery<{ n: string }>(
      url,
      `select sum(events)::text as n from "${schema}".token_ledger_daily_costs
      union all select sum(events)::text from "${schema}".token_ledger_user_costs`,
    );
    expect(views.map((v) => Number(v.n))).toEqual([evs.length, evs.length]);
    await s.close();
  });
});
