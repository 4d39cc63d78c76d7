import { afterAll, expect, it } from "vitest";
import { postgresStorage } from "tokenledger/postgres";
import { isOtherSchemaVanished } from "../../adapters/postgres/vanished-schema.js";
import { describePg, dropSchema, pgQuery, pgUrl, uniqueSchema } from "../helpers/pg.js";

const mine: string[] = [];
afterAll(async () => {
  const url = pgUrl();
  if (url) for (const s of mine) await dropSchema(url, s);
});

describePg("migrating while other processes drop their schemas", () => {
  it("a real 3F000 naming another schema is retried; one naming ours is not", async () => {
    const err = await pgQuery(pgUrl()!, `select 'tl_gone_schema.t'::regclass`).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe("3F000");
    const wrapped = new Error("migration (setup) failed", { cause: err });
    expect(isOtherSchemaVanished(wrapped, "tl_mine")).toBe(true);
    expect(isOtherSchemaVanished(wrapped, "tl_gone_schema")).toBe(false);
    expect(isOtherSchemaVanished(new Error("connection refused"), "tl_mine")).toBe(false);
  });

  it("a real 42P01 naming another schema's table is retried; ours or an unqualified one is not", async () => {
    const url = pgUrl()!;
    const other = uniqueSchema("tl_other");
    mine.push(other);
    await pgQuery(url, `create schema "${other}"`);
    const err = await pgQuery(url, `select * from "${other}".token_ledger_daily_user`).catch(
      (e: unknown) => e,
    );
    expect((err as { code?: string }).code).toBe("42P01");
    const wrapped = new Error("migration (setup) failed", { cause: err });
    expect(isOtherSchemaVanished(wrapped, "tl_mine")).toBe(true);
    expect(isOtherSchemaVanished(wrapped, other)).toBe(false);
    const bare = await pgQuery(url, `select * from no_such_table_here`).catch((e: unknown) => e);
    expect((bare as { code?: string }).code).toBe("42P01");
    expect(isOtherSchemaVanished(bare, "tl_mine")).toBe(false);
  });

  it("fresh ledgers migrate while another connection keeps creating and dropping schemas", async () => {
    const url = pgUrl()!;
    let churn = true;
    // What parallel test files (or other tenants) do: schemas with serial columns come and go.
    const churner = (async () => {
      for (let i = 0; churn; i++) {
        const s = uniqueSchema("tl_churn");
        await pgQuery(url, `create schema "${s}"; create table "${s}".t (id serial primary key)`);
        await dropSchema(url, s);
      }
    })();
    try {
      for (let i = 0; i < 6; i++) {
        const schema = uniqueSchema("tl_vanish");
        mine.push(schema);
        const storage = postgresStorage({ connectionString: url, schema });
        await storage.init();
        await storage.close();
      }
    } finally {
      churn = false;
      await churner;
    }
  }, 120_000);
});
