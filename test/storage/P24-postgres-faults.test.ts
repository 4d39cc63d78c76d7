import { afterAll, expect, it } from "vitest";
import { StorageError } from "tokenledger";
import { postgresStorage } from "tokenledger/postgres";
import { describePg, dropSchema, pgQuery, pgUrl, uniqueSchema } from "../helpers/pg.js";
import { ledgerEvent } from "../contract/ledger-events.js";

const schemas: string[] = [];
afterAll(async () => {
  const url = pgUrl();
  if (url) for (const s of schemas) await dropSchema(url, s);
});

function fresh(extra: { statementTimeoutMs?: number } = {}) {
  const schema = uniqueSchema("tl_p24");
  schemas.push(schema);
  const applicationName = `tokenledger_${schema}`;
  const warnings: string[] = [];
  const storage = postgresStorage({
    connectionString: pgUrl()!,
    schema,
    applicationName,
    logger: { warn: (m) => warnings.push(m), error: () => {} },
    ...extra,
  });
  return { storage, schema, applicationName, warnings };
}

describePg("P24: the Postgres backend tolerates restarts and slow queries", () => {
  it("survives pg_terminate_backend of its idle connections: process alive, error counted, next write works", async () => {
    const { storage, schema, applicationName, warnings } = fresh();
    await storage.init();
    await storage.insertBatch([ledgerEvent()]);
    const killed = await pgQuery<{ ok: boolean }>(
      pgUrl()!,
      "select pg_terminate_backend(pid) as ok from pg_stat_activity where application_name = $1",
      [applicationName],
    );
    expect(killed.length).toBeGreaterThan(0);
    const deadline = Date.now() + 3000;
    while (storage.poolErrors === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(storage.poolErrors).toBeGreaterThanOrEqual(1); // P02: the pool's error event had a listener
    expect(warnings.join("\n")).toMatch(/idle connection error/);
    await storage.insertBatch([ledgerEvent()]);
    const [row] = await pgQuery<{ n: string }>(
      pgUrl()!,
      `select count(*) as n from "${schema}".token_ledger_events`,
    );
    expect(Number(row!.n)).toBe(2);
    await storage.close();
  });

  it("a slow write times out at statementTimeoutMs and is classified transient, then succeeds", async () => {
    const { storage, schema } = fresh({ statementTimeoutMs: 300 });
    await storage.init();
    await pgQuery(
      pgUrl()!,
      `create function "${schema}".slow() returns trigger language plpgsql as $$ begin perform pg_sleep(5); return new; end $$;
       create trigger slow before insert on "${schema}".token_ledger_events for each row execute function "${schema}".slow()`,
    );
    const started = Date.now();
    const err = await storage.insertBatch([ledgerEvent()]).catch((e: unknown) => e);
    const took = Date.now() - started;
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).kind).toBe("transient");
    expect((err as StorageError).message).toMatch(/statement timeout/);
    expect(took).toBeLessThan(2500);
    await pgQuery(pgUrl()!, `drop trigger slow on "${schema}".token_ledger_events`);
    await storage.insertBatch([ledgerEvent()]);
    expect((await storage.rollup({})).totals.events).toBe(1);
    await storage.close();
  });
});
