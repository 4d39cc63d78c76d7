// Sustained ingest of the same generated events into the same events table (same indexes), every case in the same
// run, rounds interleaved (case A, B, C, then B, C, A, ...; one untimed warm-up round in full mode) so load drift and
// JIT warm-up hit every case alike; each case on a fresh
// ledger. Baseline "raw": prepared inserts in 1000-row transactions (SQLite) / 1000-row multi-row INSERTs
// (PostgreSQL), no rollups. The other cases say exactly what runs; the table explains them.
// Sizes: BENCH_EVENTS (default 20,000; quick 2,000), BENCH_RUNS (default 5; quick 2).
// Run: node --import tsx bench/storage-ingest.ts
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { TokenTracker, type LedgerEvent, type UsageEventInput } from "tokenledger";
import { postgresStorage } from "tokenledger/postgres";
import { sqliteStorage } from "tokenledger/sqlite";
import { usdToPico } from "../adapters/_shared/decimal.js";
import { eventValues } from "../adapters/_kysely/event-row.js";
import { PROJECTIONS } from "../adapters/_kysely/projections.js";
import { eventColumns } from "../adapters/_kysely/schema.js";
import { PG_URL, makeEvents, printTable, timeIt } from "./storage-bench-util.js";
import { QUICK, check, median, size } from "./util.js";

const N = size("BENCH_EVENTS", 20_000, 2_000);
const RUNS = size("BENCH_RUNS", 5, 2);
const dir = mkdtempSync(join(tmpdir(), "tl-bench-ingest-"));
const ALL_TABLES = PROJECTIONS.map((p) => p.table);
const HOURLY = "token_ledger_hourly";
/** PostgreSQL's statement triggers, one per projection (0002 named the first one differently). */
const pgTrigger = (table: string) => (table === HOURLY ? "token_ledger_rollup" : `${table}_rollup`);
type Rollups = "all" | "hourly only" | "none";
const keptTables = (r: Rollups) => (r === "all" ? ALL_TABLES : r === "hourly only" ? [HOURLY] : []);

interface Case {
  readonly backend: "sqlite" | "postgres";
  readonly name: string;
  readonly explains: string;
  readonly baseline?: true;
  run(round: number): Promise<number>;
}

/** The tracker's input for a generated event: what an interceptor hands record() (cost known, so no pricing). */
function input(e: LedgerEvent): UsageEventInput {
  return {
    id: e.id,
    timestamp: e.timestamp,
    provider: e.provider,
    model: e.model,
    operation: e.operation,
    streamed: e.streamed,
    status: e.status,
    latencyMs: e.latencyMs,
    requestId: e.requestId,
    usage: e.usage,
    usageSource: e.usageSource,
    costUsd: e.costUsd,
    attribution: { userId: e.userId!, teamId: e.teamId!, feature: e.feature!, environment: e.environment! },
  };
}

// ---------- SQLite ----------
async function sqliteLedger(round: number, label: string, rollups: Rollups) {
  const s = sqliteStorage({ path: join(dir, `${label.replace(/\W+/g, "-")}-${round}.db`) });
  await s.init();
  const admin = new Database(s.path);
  // The adapter plans its per-batch upserts from the projections present; a dropped table is simply not rolled up.
  for (const t of ALL_TABLES) if (!keptTables(rollups).includes(t)) admin.exec(`DROP TABLE ${t}`);
  return { s, admin };
}

function sqliteCount(admin: Database.Database): number {
  return (admin.prepare("select count(*) as n from token_ledger_events").get() as { n: number }).n;
}

const sqliteAdapter = (batch: number, rollups: Rollups, label: string) => async (round: number) => {
  const { s, admin } = await sqliteLedger(round, label, rollups);
  const events = makeEvents(N);
  const ms = await timeIt(async () => {
    for (let i = 0; i < N; i += batch) await s.insertBatch(events.slice(i, i + batch));
  });
  await s.close();
  check(sqliteCount(admin) === N, `${label}: ${sqliteCount(admin)} rows stored, expected ${N}`);
  admin.close();
  return ms;
};

const sqliteTracker = (label: string) => async (round: number) => {
  const { s, admin } = await sqliteLedger(round, label, "all");
  const events = makeEvents(N).map(input);
  const tracker = new TokenTracker({ storage: s, logger: false, autoFlushOnExit: false, maxQueueSize: 2048 });
  const ms = await timeIt(async () => {
    for (let i = 0; i < N; i += 1000) {
      for (const e of events.slice(i, i + 1000)) tracker.record(e);
      await tracker.flush();
    }
  });
  const stats = tracker.stats();
  await tracker.shutdown();
  check(
    stats.persisted === N,
    `${label}: persisted ${stats.persisted} of ${N} (dropped ${JSON.stringify(stats.dropped)})`,
  );
  check(sqliteCount(admin) === N, `${label}: ${sqliteCount(admin)} rows stored, expected ${N}`);
  admin.close();
  return ms;
};

async function sqliteRaw(round: number): Promise<number> {
  const { s, admin } = await sqliteLedger(round, "raw", "none");
  await s.close();
  admin.close();
  const db = new Database(s.path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL"); // what the adapter sets
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
  const events = makeEvents(N);
  const tx = db.transaction((chunk: LedgerEvent[]) => {
    for (const e of chunk) stmt.run(...eventValues(e, conv));
  });
  // Row conversion is inside the timed region, as it is in the adapter.
  const ms = await timeIt(() => {
    for (let i = 0; i < N; i += 1000) tx.immediate(events.slice(i, i + 1000));
  });
  check(sqliteCount(db) === N, `sqlite raw: ${sqliteCount(db)} rows stored, expected ${N}`);
  db.close();
  return ms;
}

// ---------- PostgreSQL ----------
async function pgLedger(rollups: Rollups) {
  const schema = `tl_bench_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const s = postgresStorage({ connectionString: PG_URL, schema });
  await s.init();
  const client = new pg.Client(PG_URL);
  await client.connect();
  for (const t of ALL_TABLES)
    if (!keptTables(rollups).includes(t))
      await client.query(`DROP TRIGGER ${pgTrigger(t)} ON ${schema}.token_ledger_events`);
  const done = async (label: string) => {
    const n = Number(
      (await client.query(`select count(*) as n from ${schema}.token_ledger_events`)).rows[0].n,
    );
    await s.close();
    await client.query(`DROP SCHEMA ${schema} CASCADE`);
    await client.end();
    check(n === N, `${label}: ${n} rows stored, expected ${N}`);
  };
  return { s, client, schema, done };
}

const pgAdapter = (batch: number, rollups: Rollups, label: string) => async () => {
  const { s, done } = await pgLedger(rollups);
  const events = makeEvents(N);
  try {
    return await timeIt(async () => {
      for (let i = 0; i < N; i += batch) await s.insertBatch(events.slice(i, i + batch));
    });
  } finally {
    await done(label);
  }
};

async function pgRaw(): Promise<number> {
  const { client, schema, done } = await pgLedger("none");
  const cols = eventColumns("cost_usd");
  const conv = {
    ts: (d: Date) => d,
    bool: (b: boolean) => b,
    cost: (c: string | null) => c,
    json: (m: unknown) => JSON.stringify(m),
  };
  const events = makeEvents(N);
  try {
    return await timeIt(async () => {
      for (let i = 0; i < N; i += 1000) {
        const params: unknown[] = [];
        const values = events.slice(i, i + 1000).map(
          (e) =>
            `(${eventValues(e, conv)
              .map((v) => (params.push(v), `$${params.length}`))
              .join(",")})`,
        );
        await client.query(
          `INSERT INTO ${schema}.token_ledger_events (${cols.join(",")}) VALUES ${values.join(",")}`,
          params,
        );
      }
    });
  } finally {
    await done("postgres raw");
  }
}

const CASES: Case[] = [
  {
    backend: "sqlite",
    name: "raw",
    baseline: true,
    explains: "prepared INSERT, 1000-row transactions, no rollups",
    run: sqliteRaw,
  },
  {
    backend: "sqlite",
    name: "tracker",
    explains:
      "TokenTracker.record() + flush() per 1000 events: default 100-event batches, 4 rollups upserted per batch",
    run: sqliteTracker("sqlite tracker"),
  },
  {
    backend: "sqlite",
    name: "adapter 100/batch, 4 rollups",
    explains: "insertBatch(100 events): insert + one aggregated upsert per projection, one transaction",
    run: sqliteAdapter(100, "all", "sqlite 100 all"),
  },
  {
    backend: "sqlite",
    name: "adapter 1000/batch, 4 rollups",
    explains: "same, 1000-event batches (the raw case's transaction size)",
    run: sqliteAdapter(1000, "all", "sqlite 1000 all"),
  },
  {
    backend: "sqlite",
    name: "adapter 100/batch, hourly rollup only",
    explains: "3 projection tables dropped: only the full-key hourly upsert runs (the schema before 0004)",
    run: sqliteAdapter(100, "hourly only", "sqlite 100 hourly"),
  },
  {
    backend: "sqlite",
    name: "adapter 100/batch, no rollup",
    explains: "all 4 projection tables dropped: the adapter's insert alone",
    run: sqliteAdapter(100, "none", "sqlite 100 none"),
  },
  {
    backend: "postgres",
    name: "raw",
    baseline: true,
    explains: "multi-row INSERT, 1000 rows per statement, rollup triggers dropped",
    run: pgRaw,
  },
  {
    backend: "postgres",
    name: "adapter 100/batch, 4 rollup triggers",
    explains: "insertBatch(100 events); 4 statement-level triggers fill the projections",
    run: pgAdapter(100, "all", "postgres 100 all"),
  },
  {
    backend: "postgres",
    name: "adapter 1000/batch, 4 rollup triggers",
    explains: "same, 1000-event batches (the raw case's statement size)",
    run: pgAdapter(1000, "all", "postgres 1000 all"),
  },
  {
    backend: "postgres",
    name: "adapter 100/batch, hourly trigger only",
    explains: "3 triggers dropped: only the full-key hourly rollup (the schema before 0004)",
    run: pgAdapter(100, "hourly only", "postgres 100 hourly"),
  },
  {
    backend: "postgres",
    name: "adapter 100/batch, no trigger",
    explains: "all 4 triggers dropped: the adapter's insert alone",
    run: pgAdapter(100, "none", "postgres 100 none"),
  },
];

const times = new Map<Case, number[]>(CASES.map((c) => [c, []]));
try {
  // One untimed round first (full mode) so no case pays the JIT warm-up of the shared row code; and each round starts
  // at the next case, so none is always first after the previous round's cleanup.
  for (let r = QUICK ? 0 : -1; r < RUNS; r++) {
    for (let i = 0; i < CASES.length; i++) {
      const c = CASES[(i + Math.max(r, 0)) % CASES.length]!;
      const ms = await c.run(r + 1);
      if (r >= 0) times.get(c)!.push(ms);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const results: Record<string, string | number>[] = [];
for (const backend of ["sqlite", "postgres"] as const) {
  const base = median(times.get(CASES.find((c) => c.backend === backend && c.baseline)!)!);
  for (const c of CASES.filter((x) => x.backend === backend)) {
    const m = median(times.get(c)!);
    results.push({
      backend,
      case: c.name,
      "median ms": Math.round(m),
      "events/s": Math.round((N / m) * 1000),
      "rate vs raw": (base / m).toFixed(2),
      "what runs": c.explains,
    });
  }
}
printTable(
  `Ingest of ${N} events, median of ${RUNS} interleaved rounds (rate vs raw: 1.00 = as fast as raw)`,
  results,
);
