import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LedgerEvent, StorageAdapter, UsageEventInput } from "tokenledger";
import { failover } from "tokenledger/failover";
import { postgresStorage } from "tokenledger/postgres";
import { sqliteStorage } from "tokenledger/sqlite";
import { runCli, sandbox } from "../helpers/cli.js";
import { startFaultyUpstream, type FaultyUpstream } from "../helpers/faulty-upstream.js";
import { dropSchema, pgQuery, pgUrl, uniqueSchema } from "../helpers/pg.js";
import { harness, patch, require } from "../interceptors/openai/support.js";
import { waitForEvents } from "../interceptors/wait-for-events.js";

const openai = require("openai");
const { OpenAI, AzureOpenAI } = openai;

let primary: FaultyUpstream;
let fallback: FaultyUpstream;
let events: LedgerEvent[];
const dir = mkdtempSync(join(tmpdir(), "tl-failover-cols-"));
const schemas: string[] = [];

/** A dead OpenAI primary and an Azure fallback: 3 failed attempts, 3 switched answers, then 1 skip. */
beforeAll(async () => {
  primary = await startFaultyUpstream("openai", "primary");
  fallback = await startFaultyUpstream("openai", "fallback");
  primary.mode = "500";
  const h = harness({ baseURLProviders: { "127.0.0.1": "openai" } });
  const set = patch(openai, h);
  try {
    const client = failover({
      name: "chat-main",
      now: () => 1_000_000,
      record: (e: UsageEventInput) => h.env.sink()?.record(e),
      targets: [
        {
          provider: "openai",
          model: "gpt-4o",
          client: new OpenAI({ apiKey: "sk-a", baseURL: primary.baseURL }),
        },
        {
          provider: "azure",
          model: "gpt-4o",
          client: new AzureOpenAI({ apiKey: "az-b", endpoint: fallback.url, apiVersion: "2024-10-21" }),
        },
      ],
    }) as InstanceType<typeof OpenAI>;
    const messages = [{ role: "user" as const, content: "Hi" }];
    for (let i = 0; i < 4; i++) await client.chat.completions.create({ model: "gpt-4o", messages });
    events = await waitForEvents(h.flushed, 7);
  } finally {
    set.restore();
  }
});
afterAll(async () => {
  await primary.close();
  await fallback.close();
  rmSync(dir, { recursive: true, force: true });
  const url = pgUrl();
  if (url) for (const s of schemas) await dropSchema(url, s);
});

const cols = (e: LedgerEvent) => [
  e.status,
  e.requestedTarget,
  e.effectiveTarget,
  e.attempt,
  e.failoverReason,
];
const byId = (es: LedgerEvent[]) => [...es].sort((a, b) => a.id.localeCompare(b.id));
const EXPECTED = [
  ["error", "openai:gpt-4o", "openai:gpt-4o", 1, undefined],
  ["ok", "openai:gpt-4o", "azure:gpt-4o", 2, "server_error"],
];

async function storeAndRead(s: StorageAdapter): Promise<LedgerEvent[]> {
  await s.init();
  await s.insertBatch(events);
  const out: LedgerEvent[] = [];
  for await (const e of s.events({})) out.push(e);
  const byTarget = await s.rollup({ groupBy: ["target"] });
  expect(byTarget.rows.map((r) => [r.target, r.events, r.errorEvents])).toEqual([
    ["azure:gpt-4o", 4, 0],
    ["openai:gpt-4o", 3, 3],
  ]);
  await s.close();
  return out;
}

describe("failover attempts in the ledger", () => {
  it("each attempt carries requested target, effective target, attempt number and reason as event fields", () => {
    expect(events).toHaveLength(7);
    expect(cols(events[0]!)).toEqual(EXPECTED[0]);
    const answered = events.filter((e) => e.status === "ok");
    expect(answered.map(cols)).toEqual([
      EXPECTED[1],
      EXPECTED[1],
      EXPECTED[1],
      ["ok", "openai:gpt-4o", "azure:gpt-4o", 1, "breaker_open"],
    ]);
    expect(answered[0]!.costUsd).not.toBeNull(); // the billed attempt is costed
  });

  it("SQLite: stored in real columns, read back, grouped by target; `report --group-by target` prints them", async () => {
    const path = join(dir, "ledger.db");
    const back = await storeAndRead(sqliteStorage({ path }));
    expect(byId(back).map(cols)).toEqual(byId(events).map(cols));
    const db = new Database(path, { readonly: true });
    const rows = db
      .prepare(
        `select effective_target, attempt, failover_reason from token_ledger_events
         where status = 'ok' order by ts, id limit 1`,
      )
      .all();
    db.close();
    expect(rows).toEqual([{ effective_target: "azure:gpt-4o", attempt: 2, failover_reason: "server_error" }]);

    const sb = sandbox();
    const r = await runCli(["report", "--group-by", "target", "--since", "1970-01-01", "--json"], {
      env: { ...sb.env, TOKENLEDGER_DATABASE_URL: path },
    });
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout) as { rows: { target: string | null; events: number }[] };
    expect(json.rows.map((x) => [x.target, x.events]).sort()).toEqual([
      ["azure:gpt-4o", 4],
      ["openai:gpt-4o", 3],
    ]);
  }, 90_000); // the CLI child starts through tsx: seconds under load

  it("PostgreSQL: stored in real columns, read back, grouped by target", async () => {
    const url = pgUrl();
    expect(url, "PostgreSQL must be reachable for this test").not.toBeNull();
    const schema = uniqueSchema("tl_failover");
    schemas.push(schema);
    const back = await storeAndRead(postgresStorage({ connectionString: url!, schema }));
    expect(byId(back).map(cols)).toEqual(byId(events).map(cols));
    const rows = await pgQuery(
      url!,
      `select effective_target, attempt, failover_reason from "${schema}".token_ledger_events
       where status = 'ok' order by ts, id limit 1`,
    );
    expect(rows).toEqual([{ effective_target: "azure:gpt-4o", attempt: 2, failover_reason: "server_error" }]);
  });
});
