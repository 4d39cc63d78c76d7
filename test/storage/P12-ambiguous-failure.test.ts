import { afterAll, expect, it } from "vitest";
import { StorageError } from "tokenledger";
import { postgresStorage } from "tokenledger/postgres";
import { describePg, dropSchema, pgQuery, pgUrl, uniqueSchema } from "../helpers/pg.js";
import { ledgerEvent } from "../contract/ledger-events.js";
import { CutAfterStatementProxy } from "./tcp-cut-proxy.js";

const schema = uniqueSchema("tl_p12");
afterAll(async () => {
  const url = pgUrl();
  if (url) await dropSchema(url, schema);
});

describePg("P12: no duplicates after an ambiguous failure", () => {
  it("the connection drops after the insert committed; retrying the batch stores each event once", async () => {
    const target = new URL(pgUrl()!);
    const proxy = new CutAfterStatementProxy(target.hostname, Number(target.port || 5432));
    const port = await proxy.listen();
    const via = new URL(pgUrl()!);
    via.port = String(port);
    const storage = postgresStorage({
      connectionString: via.toString(),
      schema,
      logger: { warn: () => {}, error: () => {} },
    });
    await storage.init();

    const batch = Array.from({ length: 50 }, (_, i) => ledgerEvent({ at: Date.UTC(2026, 10, 1) + i * 1000 }));
    proxy.arm("insert into");
    const err = await storage.insertBatch(batch).catch((e: unknown) => e);
    expect(proxy.cuts).toBe(1);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).kind).toBe("transient"); // the tracker retries it
    expect(storage.poolErrors).toBeGreaterThanOrEqual(1); // the busy client's error event was caught, not thrown

    const count = async () =>
      Number(
        (
          await pgQuery<{ n: string }>(pgUrl()!, `select count(*) as n from "${schema}".token_ledger_events`)
        )[0]!.n,
      );
    expect(await count()).toBe(50); // the server did commit

    await storage.insertBatch(batch); // the retry
    expect(await count()).toBe(50);
    expect((await storage.rollup({})).totals.events).toBe(50); // rollup not double counted either
    await storage.close();
    await proxy.close();
  });
});
