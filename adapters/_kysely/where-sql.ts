import { sql, type RawBuilder } from "kysely";
import type { Dimension, RollupQuery } from "tokenledger/storage-kit";
import { EVENT_COLUMN, whereValues } from "../_shared/dimensions.js";

/**
 * Filter conditions. On the events table a missing value is NULL; on the hourly rollup it is ''.
 * Always returns a condition (`true` when nothing filters) so callers can AND it.
 */
export function whereSql(
  q: { where?: RollupQuery["where"] },
  source: "events" | "rollup",
  timeColumn: string,
  since: unknown,
  until: unknown,
): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [];
  if (since !== undefined) parts.push(sql`${sql.ref(timeColumn)} >= ${since}`);
  if (until !== undefined) parts.push(sql`${sql.ref(timeColumn)} < ${until}`);
  for (const [dim, v] of Object.entries(q.where ?? {})) {
    if (v === undefined) continue;
    const col = sql.ref(EVENT_COLUMN[dim as Dimension]);
    const values = whereValues(v);
    const present = values.filter((x): x is string => x !== null);
    const wantsNull = values.length > present.length;
    const alts: RawBuilder<unknown>[] = [];
    if (source === "rollup") {
      const list = wantsNull ? [...present, ""] : present;
      if (list.length > 0) alts.push(sql`${col} in (${sql.join(list)})`);
    } else {
      if (present.length > 0) alts.push(sql`${col} in (${sql.join(present)})`);
      if (wantsNull) alts.push(sql`${col} is null`);
    }
    parts.push(alts.length === 0 ? sql`1 = 0` : sql`(${sql.join(alts, sql` or `)})`);
  }
  return parts.length === 0 ? sql`1 = 1` : sql.join(parts, sql` and `);
}
