// Sustained ingest through the adapters (100-event batches, like the tracker) against a raw driver insert of
// the same rows in the same run, plus the cost of the rollups: all four projections, only the original full-key hourly
// one (the schema before 0004_rollup_projections), and none. SQLite rolls up in the adapter (one aggregated upsert per
// projection per batch, since 0005; a case without a projection drops its table); PostgreSQL by statement-level
// triggers (a case drops them). Run: node --import tsx bench/storage-ingest.ts
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { postgresStorage } from "tokenledger/postgres";
import { sqliteStorage } from "tokenledger/sqlite";
import { usdToPico } from "../adapters/_shared/decimal.js";
import { eventValues } from "../adapters/_kysely/event-row.js";
import { eventColumns } from "../adapters/_kysely/schema.js";
import { PG_URL, makeEvents, printTable, timeIt } from "./storage-bench-util.js";
import { median } from "./util.js";

const N = Number(process.env.BENCH_EVENTS ?? 20_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const dir = mkdtempSync(join(tmpdir(), "tl-bench-ingest-"));
const results: Record<string, string | number>[] = [];
const rate = (ms: number) => Math.round((N / ms) * 1000);
const NEW_TRIGGERS = [
  "token_ledger_hourly_model_rollup",
  "token_ledger_daily_rollup",
  "token_ledger_daily_user_rollup",
];
const ALL_TRIGGERS = ["token_ledger_rollup", ...NEW_TRIGGERS];
const NEW_TABLES = ["token_ledger_hourly_model", "token_ledger_daily", "token_ledger_daily_user"];
const ALL_TABLES = ["token_ledger_hourly", ...NEW_TABLES];
/** Which rollups a case keeps. */
type Triggers = "all" | "hourly only" | "none";
const dropped = (t: Triggers) => (t === "all" ? [] : t === "hourly only" ? NEW_TRIGGERS : ALL_TRIGGERS);
const droppedTables = (t: Triggers) => (t === "all" ? [] : t === "hourly only" ? NEW_TABLES : ALL_TABLES);

async function sqliteAdapter(run: number, triggers: Triggers): Promise<number> {
  const s = sqliteStorage({ path: join(dir, `a-${run}-${triggers.replace(" ", "-")}.db`) });
  await s.init();
  const admin = new Database(s.path);
  for (const t of droppedTables(triggers)) admin.exec(`DROP TABLE ${t}`); // the adapter skips a missing projection
  admin.close();
  const events = makeEvents(N);
  const ms = await timeIt(async () => {
    for (let i = 0; i < N; i += 100) await s.insertBatch(events.slice(i, i + 100));
  });
  await s.close();
  return ms;
}

async function sqliteRaw(run: number): Promise<number> {
  const path = join(dir, `raw-${run}.db`);
  const s = sqliteStorage({ path });
  await s.init(); // same schema (SQLite has no rollup trigger since 0005: the raw baseline is the bare table)
  await s.close();
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  const cols = eventColumns("cost_pico");
  const stmt = db.prepare(
    `INSERT INTO token_ledger_events (${cols.join(",")}) VALUES (${cols.map(() => "?").join(",")})`,
  );
  const conv = {
    ts: (d: Date) => d.getTime(),
    bool: (b: boolean) => (b ? 1 : 0),
    cost: (c: string | null) => (c === null ? null : usdToPico(c)),
    json: (m: unknown) => JSON.stringify(m),
  };
  const rows = makeEvents(N).map((e) => eventValues(e, conv));
  const tx = db.transaction((chunk: unknown[][]) => {
    for (const r of chunk) stmt.run(...r);
  });
  const ms = await timeIt(() => {
    for (let i = 0; i < N; i += 1000) tx.immediate(rows.slice(i, i + 1000));
  });
  db.close();
  return ms;
}

async function pgAdapter(triggers: Triggers): Promise<number> {
  const schema = `tl_bench_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const s = postgresStorage({ connectionString: PG_URL, schema });
  await s.init();
  const client = new pg.Client(PG_URL);
  await client.connect();
  for (const t of dropped(triggers)) await client.query(`DROP TRIGGER ${t} ON ${schema}.token_ledger_events`);
  const events = makeEvents(N);
  const ms = await timeIt(async () => {
    for (let i = 0; i < N; i += 100) await s.insertBatch(events.slice(i, i + 100));
  });
  await s.close();
  await client.query(`DROP SCHEMA ${schema} CASCADE`);
  await client.end();
  return ms;
}

async function pgRaw(): Promise<number> {
  const schema = `tl_bench_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const s = postgresStorage({ connectionString: PG_URL, schema });
  await s.init();
  await s.close();
  const client = new pg.Client(PG_URL);
  await client.connect();
  for (const t of ALL_TRIGGERS) await client.query(`DROP TRIGGER ${t} ON ${schema}.token_ledger_events`);
  const cols = eventColumns("cost_usd");
  const conv = {
    ts: (d: Date) => d,
    bool: (b: boolean) => b,
    cost: (c: string | null) => c,
    json: (m: unknown) => JSON.stringify(m),
  };
  const rows = makeEvents(N).map((e) => eventValues(e, conv));
  const ms = await timeIt(async () => {
    for (let i = 0; i < N; i += 1000) {
      const chunk = rows.slice(i, i + 1000);
      const params: unknown[] = [];
      const values = chunk.map((r) => `(${r.map((v) => (params.push(v), `$${params.length}`)).join(",")})`);
      await client.query(
        `INSERT INTO ${schema}.token_ledger_events (${cols.join(",")}) VALUES ${values.join(",")}`,
        params,
      );
    }
  });
  await client.query(`DROP SCHEMA ${schema} CASCADE`);
  await client.end();
  return ms;
}

async function measure(name: string, fn: (run: number) => Promise<number>): Promise<number> {
  const times: number[] = [];
  for (let r = 0; r < RUNS; r++) times.push(await fn(r));
  const m = median(times);
  results.push({ case: name, "median ms": Math.round(m), "events/s": rate(m) });
  return m;
}

const sqA = await measure("sqlite adapter, 100/batch, 4 rollups as per-batch aggregated upserts", (r) =>
  sqliteAdapter(r, "all"),
);
const sqHourly = await measure("sqlite adapter, 100/batch, full-key hourly rollup upsert only", (r) =>
  sqliteAdapter(r, "hourly only"),
);
const sqNoTrig = await measure("sqlite adapter, 100/batch, no rollup", (r) => sqliteAdapter(r, "none"));
const sqRaw = await measure("sqlite raw prepared insert, 1000/tx, no trigger", (r) => sqliteRaw(r));
let pgA = NaN;
let pgHourly = NaN;
let pgNoTrig = NaN;
let pgR = NaN;
try {
  pgA = await measure("postgres adapter, 100/batch, all 4 rollup triggers", () => pgAdapter("all"));
  pgHourly = await measure("postgres adapter, 100/batch, full-key hourly trigger only", () =>
    pgAdapter("hourly only"),
  );
  pgNoTrig = await measure("postgres adapter, 100/batch, no trigger", () => pgAdapter("none"));
  pgR = await measure("postgres raw multi-row insert, 1000/stmt, no trigger", () => pgRaw());
} catch (err) {
  console.error(`postgres skipped: ${(err as Error).message}`);
}
rmSync(dir, { recursive: true, force: true });
printTable(`Ingest of ${N} events, median of ${RUNS} runs`, results);
printTable("Ratios", [
  { ratio: "sqlite adapter (4 rollup upserts) / raw", value: (sqA / sqRaw).toFixed(2) },
  { ratio: "sqlite raw / adapter (4 rollup upserts): speed vs raw", value: (sqRaw / sqA).toFixed(2) },
  { ratio: "sqlite 4 rollup upserts / no rollup", value: (sqA / sqNoTrig).toFixed(2) },
  {
    ratio: "sqlite 4 rollup upserts / hourly upsert only (cost of the 3 new projections)",
    value: (sqA / sqHourly).toFixed(2),
  },
  { ratio: "postgres adapter (all triggers) / raw", value: (pgA / pgR).toFixed(2) },
  { ratio: "postgres all triggers / no trigger", value: (pgA / pgNoTrig).toFixed(2) },
  {
    ratio: "postgres all triggers / hourly trigger only (cost of the 3 new projections)",
    value: (pgA / pgHourly).toFixed(2),
  },
]);
