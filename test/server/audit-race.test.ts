import pg from "pg";
import { afterAll, expect, it } from "vitest";
import { postgresStorage } from "tokenledger/postgres";
import { asServerStorage, type ServerStorage } from "../../src/server/ports.js";
import { describePg, dropSchema, pgUrl, uniqueSchema } from "../helpers/pg.js";

const WRITERS = 4;
const EACH = 20;

/** WRITERS storages (separate pools) appending EACH rows at once; the verdict and how many rows share a link. */
async function race(schema: string, before?: (s: ServerStorage) => Promise<void>) {
  const writers = await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      const s = asServerStorage(postgresStorage({ connectionString: pgUrl()!, schema }))!;
      await s.init();
      return s;
    }),
  );
  try {
    if (before) await before(writers[0]!);
    await Promise.all(
      writers.map(async (s, w) => {
        for (let i = 0; i < EACH; i++)
          await s.audit.append({ actor: `test:${w}`, action: "race.append", target: String(i), details: {} });
      }),
    );
    const c = new pg.Client({ connectionString: pgUrl()! });
    await c.connect();
    const forks = await c.query(
      `select count(*)::int as n from (select prev_hash from "${schema}".token_ledger_audit_log
        group by prev_hash having count(*) > 1) f`,
    );
    await c.end();
    return { verdict: await writers[0]!.audit.verify(), forks: forks.rows[0].n as number };
  } finally {
    await Promise.all(writers.map((s) => s.close()));
  }
}

describePg("concurrent audit appenders", () => {
  const schemas = [uniqueSchema("tl_audit_race"), uniqueSchema("tl_audit_fork")];
  afterAll(() => Promise.all(schemas.map((s) => dropSchema(pgUrl()!, s))));

  it("keep one linear chain: every append retries onto the new head", async () => {
    expect(await race(schemas[0]!)).toEqual({ verdict: { ok: true, rows: WRITERS * EACH }, forks: 0 });
  });

  it("negative control: without the unique seq and prev_hash the same race forks the chain and verify says so", async () => {
    const r = await race(schemas[1]!, async () => {
      const c = new pg.Client({ connectionString: pgUrl()! });
      await c.connect();
      const t = `"${schemas[1]}".token_ledger_audit_log`;
      await c.query(`alter table ${t} drop constraint token_ledger_audit_log_pkey`);
      await c.query(`alter table ${t} drop constraint token_ledger_audit_log_prev_hash_key`);
      await c.end();
    });
    expect(r.forks).toBeGreaterThan(0);
    expect(r.verdict.ok).toBe(false);
  });
});
