import { EVENT_COLUMN } from "../_shared/dimensions.js";
import type { Projection } from "../_kysely/projections.js";

const MEASURES = [
  ["requests", "sum(sample_weight)"],
  ["events", "count(*)"],
  ["uncached_input_tokens", "sum(uncached_input_tokens * sample_weight)"],
  ["cache_read_tokens", "sum(cache_read_tokens * sample_weight)"],
  ["cache_write_5m_tokens", "sum(cache_write_5m_tokens * sample_weight)"],
  ["cache_write_1h_tokens", "sum(cache_write_1h_tokens * sample_weight)"],
  ["output_tokens", "sum(output_tokens * sample_weight)"],
  ["reasoning_tokens", "sum(reasoning_tokens * sample_weight)"],
  ["cost_usd", "coalesce(sum(round(cost_usd * sample_weight::numeric, 12)), 0)"],
  ["unpriced_events", "count(*) FILTER (WHERE unpriced)"],
  ["error_events", "count(*) FILTER (WHERE status = 'error')"],
] as const;

const key = (column: string) =>
  column === "provider" || column === "model" ? column : `coalesce(${column}, '')`;

/**
 * Migration 0015: a statement-level AFTER DELETE trigger per rollup projection that takes the deleted rows back out
 * (the mirror of the insert trigger in `postgres-projection-sql.ts`) and drops groups left empty. Deletes happen
 * when an import revises a provisional row (`replaceBatch`): delete + insert in one transaction.
 */
export function postgresProjectionDeleteSql(s: string, p: Projection): string[] {
  const cols = p.dims.map((d) => EVENT_COLUMN[d]);
  const keyCols = [p.timeColumn, ...cols];
  const keys = [`date_trunc('${p.grain}', ts, 'UTC')`, ...cols.map(key)];
  const positions = keyCols.map((_, i) => i + 1).join(", ");
  const t = `${s}.${p.table}`;
  return [
    `CREATE OR REPLACE FUNCTION ${s}.${p.table}_delete() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      UPDATE ${t} AS h SET ${MEASURES.map(([c]) => `${c} = h.${c} - d.${c}`).join(", ")}
      FROM (SELECT ${keys.map((k, i) => `${k} AS ${keyCols[i]}`).join(", ")},
              ${MEASURES.map(([c, m]) => `${m} AS ${c}`).join(", ")}
            FROM old_rows GROUP BY ${positions} ORDER BY ${positions}) AS d
      WHERE ${keyCols.map((c) => `h.${c} = d.${c}`).join(" AND ")};
      DELETE FROM ${t} WHERE events <= 0;
      RETURN NULL;
    END
    $fn$`,
    `DROP TRIGGER IF EXISTS ${p.table}_unroll ON ${s}.token_ledger_events`,
    `CREATE TRIGGER ${p.table}_unroll AFTER DELETE ON ${s}.token_ledger_events
      REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ${s}.${p.table}_delete()`,
  ];
}
