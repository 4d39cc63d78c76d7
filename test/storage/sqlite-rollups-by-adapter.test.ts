import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import type { LedgerEvent } from "tokenledger";
import { memoryStorage } from "tokenledger/memory";
import { sqliteStorage } from "tokenledger/sqlite";
import type { KyselyStorage } from "../../adapters/_kysely/kysely-storage.js";
import { ledgerMigrator, runMigrations } from "../../adapters/_kysely/migrator.js";
import { PROJECTIONS, type Projection } from "../../adapters/_kysely/projections.js";
import { EVENT_COLUMN } from "../../adapters/_shared/dimensions.js";
import { SQLITE_MIGRATIONS } from "../../adapters/sqlite/sqlite-migrations.js";
import { ledgerEvent } from "../contract/ledger-events.js";

const dir = mkdtempSync(join(tmpdir(), "tl-rollups-by-adapter-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Two days of events with missing attribution, weights, errors and unpriced calls. */
function events(n: number, from = 0): LedgerEvent[] {
  return Array.from({ length: n }, (_, j) => {
    const i = from + j;
    return ledgerEvent({
      at: Date.UTC(2026, 10, 19) + i * 397_000,
      model: ["a", "b", "c"][i % 3]!,
      userId: i % 4 === 0 ? null : `u${i % 9}`,
      teamId: i % 5 === 0 ? null : `t${i % 2}`,
      app: i % 2 ? "web" : null,
      status: i % 11 === 0 ? "error" : "ok",
      costUsd: i % 13 === 0 ? null : ["0.000000037500", "1.5", "0.000123456789"][i % 3]!,
      unpriced: i % 13 === 0,
      sampleWeight: i % 7 === 0 ? 4 : 1,
    });
  });
}

/** The projection's rows as stored, and as a from-scratch sum of the stored events would give them. */
function storedAndRecomputed(path: string, p: Projection): { stored: unknown[]; recomputed: unknown[] } {
  const db = new Database(path, { readonly: true });
  const cols = p.dims.map((d) => EVENT_COLUMN[d]);
  const key = [p.timeColumn, ...cols].join(", ");
  const unit = p.grain === "hour" ? 3_600_000 : 86_400_000;
  const w =
    "CASE WHEN sample_weight = 1 THEN cost_pico ELSE CAST(round(cost_pico * sample_weight) AS INTEGER) END";
  const stored = db.prepare(`SELECT * FROM ${p.table} ORDER BY ${key}`).all();
  const recomputed = db
    .prepare(
      `SELECT ts - ts % ${unit} AS ${p.timeColumn},
        ${cols.map((c) => (c === "provider" || c === "model" ? c : `coalesce(${c}, '') AS ${c}`)).join(", ")},
        sum(sample_weight) AS requests, count(*) AS events,
        sum(uncached_input_tokens * sample_weight) AS uncached_input_tokens,
        sum(cache_read_tokens * sample_weight) AS cache_read_tokens,
        sum(cache_write_5m_tokens * sample_weight) AS cache_write_5m_tokens,
        sum(cache_write_1h_tokens * sample_weight) AS cache_write_1h_tokens,
        sum(output_tokens * sample_weight) AS output_tokens, sum(reasoning_tokens * sample_weight) AS reasoning_tokens,
        coalesce(sum((${w}) / 1000000000), 0) AS cost_q, coalesce(sum((${w}) % 1000000000), 0) AS cost_r,
        sum(unpriced) AS unpriced_events, sum(status = 'error') AS error_events
      FROM token_ledger_events GROUP BY ${[p.timeColumn, ...cols].map((_, i) => i + 1).join(", ")} ORDER BY ${key}`,
    )
    .all();
  db.close();
  return { stored, recomputed };
}

async function expectEveryProjectionExact(
  path: string,
  s: KyselyStorage,
  all: readonly LedgerEvent[],
): Promise<void> {
  const ref = memoryStorage();
  await ref.insertBatch(all);
  for (const p of PROJECTIONS) {
    const { stored, recomputed } = storedAndRecomputed(path, p);
    expect(stored.length, p.table).toBeGreaterThan(1);
    expect(stored, p.table).toEqual(recomputed);
    s.forceProjection = p.table;
    const q = {
      since: new Date(Date.UTC(2026, 10, 19)),
      until: new Date(Date.UTC(2026, 10, 22)),
      groupBy: p.dims.filter((d) => d === "model" || d === "user"),
    };
    expect(await s.rollup(q), p.table).toEqual(await ref.rollup(q));
  }
  s.forceProjection = null;
}

describe("SQLite rollups maintained by the adapter's write path (0005)", () => {
  it("leaves no rollup trigger behind", async () => {
    const path = join(dir, "no-triggers.db");
    const s = sqliteStorage({ path });
    await s.init();
    await s.close();
    const db = new Database(path, { readonly: true });
    const triggers = db
      // The server's latency histogram (0022) keeps its own per-row triggers; the cost rollups have none.
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'token_ledger_events' AND name NOT LIKE 'token_ledger_latency_histogram%'",
      )
      .all();
    db.close();
    expect(triggers).toEqual([]);
  });

  it("a re-inserted batch mixing stored and new ids adds only the new ids to every projection", async () => {
    const path = join(dir, "mixed.db");
    const s = sqliteStorage({ path });
    await s.init();
    const first = events(300);
    const later = events(200, 300);
    await s.insertBatch(first);
    await expectEveryProjectionExact(path, s as unknown as KyselyStorage, first);
    // Retry half of the stored batch with new events between them, and one new event twice in the same batch.
    const mixed = [...first.slice(150), ...later.slice(0, 150), later[0]!];
    mixed.sort((a, b) => (a.id < b.id ? -1 : 1));
    await s.insertBatch(mixed);
    expect(s.insertBatchSync([...first.slice(0, 50), ...later.slice(150)])).toBe(true);
    await expectEveryProjectionExact(path, s as unknown as KyselyStorage, [...first, ...later]);
    expect((await s.rollup({})).totals.events).toBe(500);
    // A batch of only stored ids changes nothing.
    await s.insertBatch(later);
    await expectEveryProjectionExact(path, s as unknown as KyselyStorage, [...first, ...later]);
    await s.close();
  });

  it("never sums twice on a ledger whose triggers still exist, and takes over once another process migrates", async () => {
    const path = join(dir, "upgrade.db");
    const raw = new Database(path);
    raw.pragma("journal_mode = WAL");
    const k = new Kysely<unknown>({ dialect: new SqliteDialect({ database: raw }) });
    await runMigrations(ledgerMigrator(k, SQLITE_MIGRATIONS.slice(0, 4))); // at 0004: all four triggers
    await k.destroy();

    const s = sqliteStorage({ path, migrate: false });
    await s.init();
    const evs = events(400);
    await s.insertBatch(evs.slice(0, 200)); // the triggers roll up; the adapter must not
    await expectEveryProjectionExact(path, s as unknown as KyselyStorage, evs.slice(0, 200));

    const other = sqliteStorage({ path }); // another process upgrades while `s` stays open
    await other.init();
    await other.close();
    await s.insertBatch(evs.slice(100, 400)); // now only the adapter rolls up, and only the new ids
    await expectEveryProjectionExact(path, s as unknown as KyselyStorage, evs);
    await s.close();
  });
});
