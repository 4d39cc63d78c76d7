import { Decimal } from "decimal.js";
import { afterAll, expect, it } from "vitest";
import type { LedgerEvent } from "tokenledger";
import { postgresStorage } from "tokenledger/postgres";
import { PROJECTIONS } from "../../adapters/_kysely/projections.js";
import { ledgerEvent } from "../contract/ledger-events.js";
import { describePg, dropSchema, pgUrl, uniqueSchema } from "../helpers/pg.js";

const schema = uniqueSchema("tl_conc_rollup");
afterAll(async () => {
  const url = pgUrl();
  if (url) await dropSchema(url, schema);
});

describePg("concurrent batches through the projection triggers", () => {
  it("four writers hitting the same rollup keys neither deadlock nor lose a row in any projection", async () => {
    const url = pgUrl()!;
    const writers = Array.from({ length: 4 }, () => postgresStorage({ connectionString: url, schema }));
    await Promise.all(writers.map((w) => w.init()));
    // Every batch spans the same few hours, models and users, so the writers contend on the same rollup rows.
    const batch = (w: number, b: number): LedgerEvent[] =>
      Array.from({ length: 100 }, (_, i) =>
        ledgerEvent({
          at: Date.UTC(2026, 10, 20, (i + b) % 3),
          model: `m${(i + w) % 3}`,
          userId: `u${(i * 7 + b) % 5}`,
          costUsd: "0.000000000001",
        }),
      );
    const all: LedgerEvent[] = [];
    await Promise.all(
      writers.map(async (s, w) => {
        for (let b = 0; b < 15; b++) {
          const events = batch(w, b);
          all.push(...events);
          await s.insertBatch(events);
        }
      }),
    );
    const expectedCost = all.reduce((a, e) => a.plus(e.costUsd!), new Decimal(0)).toFixed();
    const s = writers[0]!;
    for (const p of PROJECTIONS) {
      s.forceProjection = p.table;
      expect((await s.rollup({})).totals, p.table).toMatchObject({
        events: all.length,
        costUsd: expectedCost,
      });
    }
    await Promise.all(writers.map((w) => w.close()));
  });
});
