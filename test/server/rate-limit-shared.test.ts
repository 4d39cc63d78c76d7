import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { createPricer } from "../../src/pricing/index.js";
import { createServer } from "../../src/server/app.js";
import { createApiKey } from "../../src/server/auth/key-service.js";
import { asServerStorage } from "../../src/server/ports.js";
import { sqliteStorage } from "tokenledger/sqlite";
import { postgresStorage } from "tokenledger/postgres";
import { sandbox } from "../helpers/cli.js";
import { describePg, dropSchema, pgUrl, uniqueSchema } from "../helpers/pg.js";
import { startServeCli, type ServeProcess } from "./serve-cli.js";

const LIMIT = 12;

/** 3 × LIMIT requests with one key, alternating between the servers; how many were let through. */
async function hammer(urls: readonly string[], token: string): Promise<{ ok: number; limited: number }> {
  let ok = 0;
  let limited = 0;
  for (let i = 0; i < 3 * LIMIT; i++) {
    const r = await fetch(`${urls[i % urls.length]}/api/v1/costs/aggregate`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await r.arrayBuffer();
    if (r.status === 200) ok++;
    else if (r.status === 429) limited++;
    else throw new Error(`unexpected HTTP ${r.status}`);
  }
  return { ok, limited };
}

describe("rate limit shared through the ledger [sqlite file, 2 serve processes]", () => {
  const box = sandbox();
  afterAll(() => rmSync(box.home, { recursive: true, force: true }));

  const run = async (store: "ledger" | "memory") => {
    const s = asServerStorage(sqliteStorage({ path: box.ledger }))!;
    await s.init();
    const { token } = await createApiKey(
      s.access,
      s.audit,
      { name: store, role: "viewer", scope: { kind: "org" } },
      "test",
    );
    await s.close();
    const args = ["--rate-limit", String(LIMIT), "--rate-limit-store", store];
    const procs: ServeProcess[] = [];
    try {
      procs.push(await startServeCli(args, box.env), await startServeCli(args, box.env));
      return await hammer(
        procs.map((p) => p.url),
        token,
      );
    } finally {
      await Promise.all(procs.map((p) => p.stop()));
    }
  };

  it("one key's limit holds across both processes", { timeout: 120_000 }, async () => {
    expect(await run("ledger")).toEqual({ ok: LIMIT, limited: 2 * LIMIT });
  });

  it(
    "negative control: with per-process memory stores the key gets the limit twice",
    { timeout: 120_000 },
    async () => {
      expect(await run("memory")).toEqual({ ok: 2 * LIMIT, limited: LIMIT });
    },
  );
});

describePg("rate limit shared through the ledger (2 servers, separate pools)", () => {
  const schema = uniqueSchema("tl_ratelimit");
  afterAll(() => dropSchema(pgUrl()!, schema));

  const run = async (store: "ledger" | "memory") => {
    const apps = await Promise.all(
      [0, 1].map(async () => {
        const storage = asServerStorage(postgresStorage({ connectionString: pgUrl()!, schema }))!;
        await storage.init();
        return createServer({
          storage,
          pricer: createPricer(),
          rateLimit: { max: LIMIT, timeWindowMs: 60_000, store },
        });
      }),
    );
    try {
      const s = asServerStorage(postgresStorage({ connectionString: pgUrl()!, schema }))!;
      const { token } = await createApiKey(
        s.access,
        s.audit,
        { name: store, role: "viewer", scope: { kind: "org" } },
        "test",
      );
      await s.close();
      const urls = await Promise.all(apps.map((a) => a.listen({ port: 0, host: "127.0.0.1" })));
      return await hammer(urls, token);
    } finally {
      await Promise.all(apps.map((a) => a.close()));
    }
  };

  it("one key's limit holds across both servers; negative control: memory stores let twice the limit through", async () => {
    expect(await run("ledger")).toEqual({ ok: LIMIT, limited: 2 * LIMIT });
    expect(await run("memory")).toEqual({ ok: 2 * LIMIT, limited: LIMIT });
  });
});
