import { EVENT_COLUMN } from "../_shared/dimensions.js";
import { HISTOGRAMS, LADDER, LAST_STEP, type Histogram } from "../_shared/latency-buckets.js";

/** Each timed metric and its events column. */
const METRICS = [
  ["latency", "latency_ms"],
  ["ttft", "ttft_ms"],
] as const;

const cols = (h: Histogram) => h.dims.map((d) => EVENT_COLUMN[d]);
const keyCols = (h: Histogram) => ["day", "metric", ...cols(h), "bucket"];
/** Missing attribution is stored as '' (a primary key cannot hold NULL), as in the cost rollups. */
const keyOf = (c: string, row: string) =>
  c === "provider" || c === "model" ? `${row}${c}` : `coalesce(${row}${c}, '')`;

/** The bucket of `x` as SQL (LADDER, shared with latencyBucket()); `trunc` truncates to an integer. */
function bucketSql(x: string, trunc: (e: string) => string): string {
  const rungs = LADDER.map(([below, step]) =>
    step === 1
      ? `WHEN ${x} < ${below} THEN ${trunc(x)}`
      : `WHEN ${x} < ${below} THEN ${trunc(`${x} / ${step}`)} * ${step}`,
  );
  return `CASE ${rungs.join(" ")} ELSE ${trunc(`${x} / ${LAST_STEP}`)} * ${LAST_STEP} END`;
}

const table = (
  t: string,
  h: Histogram,
  time: string,
  bigint: string,
) => `CREATE TABLE IF NOT EXISTS ${t}${h.table} (
    day ${time} NOT NULL, metric TEXT NOT NULL, ${cols(h)
      .map((c) => `${c} TEXT NOT NULL`)
      .join(", ")},
    bucket ${bigint} NOT NULL, n ${bigint} NOT NULL, PRIMARY KEY (${keyCols(h).join(", ")}))`;

/**
 * SQLite: per-row triggers (one small upsert per timed metric and histogram; the cost rollups are upserted per
 * batch by the adapter instead, see 0005, but this keeps the histograms current whoever inserts: the SDK, an
 * import or the server), then a backfill in the same migration transaction.
 */
export function sqliteHistogramSql(): string[] {
  const trunc = (e: string) => `CAST(${e} AS INTEGER)`;
  const keyVals = (h: Histogram, row: string, metric: string, col: string) =>
    [
      `${row}ts - ${row}ts % 86400000`,
      `'${metric}'`,
      ...cols(h).map((c) => keyOf(c, row)),
      bucketSql(`${row}${col}`, trunc),
    ].join(", ");
  const each = (f: (h: Histogram, metric: string, col: string) => string) =>
    HISTOGRAMS.flatMap((h) => METRICS.map(([m, c]) => f(h, m, c))).join("\n");
  const onInsert = (h: Histogram, m: string, c: string) =>
    `INSERT INTO ${h.table} (${keyCols(h).join(", ")}, n) SELECT ${keyVals(h, "NEW.", m, c)}, 1
       WHERE NEW.${c} IS NOT NULL ON CONFLICT (${keyCols(h).join(", ")}) DO UPDATE SET n = n + 1;`;
  const match = (h: Histogram, m: string, c: string) =>
    `OLD.${c} IS NOT NULL AND (${keyCols(h).join(", ")}) = (SELECT ${keyVals(h, "OLD.", m, c)})`;
  const onDelete = (h: Histogram, m: string, c: string) =>
    `UPDATE ${h.table} SET n = n - 1 WHERE ${match(h, m, c)};
     DELETE FROM ${h.table} WHERE n <= 0 AND ${match(h, m, c)};`;
  const positions = (h: Histogram) =>
    keyCols(h)
      .map((_, i) => i + 1)
      .join(", ");
  const backfill = (h: Histogram, m: string, c: string) =>
    `INSERT INTO ${h.table} (${keyCols(h).join(", ")}, n) SELECT ${keyVals(h, "", m, c)}, count(*)
       FROM token_ledger_events WHERE ${c} IS NOT NULL GROUP BY ${positions(h)}`;
  return [
    ...HISTOGRAMS.map((h) => table("", h, "INTEGER", "INTEGER")),
    `CREATE TRIGGER IF NOT EXISTS token_ledger_latency_histogram_insert AFTER INSERT ON token_ledger_events
      WHEN NEW.latency_ms IS NOT NULL OR NEW.ttft_ms IS NOT NULL BEGIN ${each(onInsert)} END`,
    `CREATE TRIGGER IF NOT EXISTS token_ledger_latency_histogram_delete AFTER DELETE ON token_ledger_events
      WHEN OLD.latency_ms IS NOT NULL OR OLD.ttft_ms IS NOT NULL BEGIN ${each(onDelete)} END`,
    ...HISTOGRAMS.map((h) => `DELETE FROM ${h.table}`),
    ...HISTOGRAMS.flatMap((h) => METRICS.map(([m, c]) => backfill(h, m, c))),
  ];
}

/**
 * PostgreSQL: statement-level triggers over the transition tables, like the cost rollups (aggregated once per
 * statement; keys sorted so concurrent batches lock rows in one order; trigger names sort after the rollups'),
 * then a backfill. CREATE TRIGGER blocks inserts until the migration commits, so no row is counted twice.
 */
export function postgresHistogramSql(s: string): string[] {
  const trunc = (e: string) => `trunc(${e})::bigint`;
  const grouped = (h: Histogram, rows: string) => {
    const keys = [
      "date_trunc('day', ts, 'UTC')",
      "m.metric",
      ...cols(h).map((c) => keyOf(c, "")),
      bucketSql("m.v", trunc),
    ];
    const positions = keys.map((_, i) => i + 1).join(", ");
    return `SELECT ${keys.map((k, i) => `${k} AS k${i}`).join(", ")}, count(*) AS n FROM ${rows}
      CROSS JOIN LATERAL (VALUES ${METRICS.map(([m, c]) => `('${m}', ${c})`).join(", ")}) AS m(metric, v)
      WHERE m.v IS NOT NULL GROUP BY ${positions} ORDER BY ${positions}`;
  };
  return HISTOGRAMS.flatMap((h) => {
    const t = `${s}.${h.table}`;
    const key = keyCols(h).join(", ");
    return [
      table(`${s}.`, h, "timestamptz", "BIGINT"),
      `CREATE OR REPLACE FUNCTION ${t}_insert() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        INSERT INTO ${t} AS h (${key}, n) ${grouped(h, "new_rows")}
        ON CONFLICT (${key}) DO UPDATE SET n = h.n + EXCLUDED.n;
        RETURN NULL;
      END $fn$`,
      `CREATE OR REPLACE FUNCTION ${t}_delete() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        UPDATE ${t} AS h SET n = h.n - d.n FROM (${grouped(h, "old_rows")}) AS d
          WHERE ${keyCols(h)
            .map((c, i) => `h.${c} = d.k${i}`)
            .join(" AND ")};
        DELETE FROM ${t} WHERE n <= 0;
        RETURN NULL;
      END $fn$`,
      `DROP TRIGGER IF EXISTS ${h.table}_rollup ON ${s}.token_ledger_events`,
      `CREATE TRIGGER ${h.table}_rollup AFTER INSERT ON ${s}.token_ledger_events
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${t}_insert()`,
      `DROP TRIGGER IF EXISTS ${h.table}_unroll ON ${s}.token_ledger_events`,
      `CREATE TRIGGER ${h.table}_unroll AFTER DELETE ON ${s}.token_ledger_events
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ${t}_delete()`,
      `DELETE FROM ${t}`,
      `INSERT INTO ${t} (${key}, n) ${grouped(h, `${s}.token_ledger_events`)}`,
      `ANALYZE ${t}`,
    ];
  });
}
