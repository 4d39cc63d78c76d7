import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseBudget, periodWindow, type BudgetStore } from "tokenledger";
import { postgresStorage } from "tokenledger/postgres";
import { sqliteStorage } from "tokenledger/sqlite";
import { describePg, dropSchema, pgUrl, uniqueSchema } from "../helpers/pg.js";
import { startOpenAIServer, type OpenAIFakeServer } from "../helpers/openai-server.js";
import { childOutput, spawnChild, waitForLine } from "../storage/child-process.js";

const dir = mkdtempSync(join(tmpdir(), "tl-budget-provider-race-"));
let server: OpenAIFakeServer;
beforeAll(async () => {
  server = await startOpenAIServer();
  // The fake answers max_tokens (500) of output: the actual cost equals the reservation.
  server.usage = { prompt: 10, cached: 0, completion: 500, reasoning: 0 };
});
const schemas: string[] = [];
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
  const url = pgUrl();
  if (url) for (const s of schemas) await dropSchema(url, s);
});

type Ledger = { init(): Promise<void>; close(): Promise<void>; budgets: BudgetStore };

/** 8 processes × 50 concurrent chat calls ($0.01 each) against a $1.00 org budget. */
async function race(open: () => Ledger, args: [string, string, string], atomic: boolean) {
  const s = open();
  await s.init();
  await s.budgets.put(parseBudget({ id: "cap", scope: "org", period: "day", amountUsd: "1.00" }));
  await s.close();
  server.requests.length = 0;
  const children = await Promise.all(
    Array.from({ length: 8 }, () =>
      spawnChild("budget-provider-racer.ts", [...args, atomic ? "on" : "off", "50", "-", server.baseURL]),
    ),
  );
  // Each child signals readiness (ledger open, guard installed); then all 8 start their 50 calls together.
  await Promise.all(children.map((c) => waitForLine(c, "ready")));
  const outputs = children.map((c) => childOutput(c));
  for (const c of children) c.kill("SIGUSR2");
  let sent = 0;
  for (const o of await Promise.all(outputs)) {
    expect(o.code, o.stderr).toBe(0);
    sent += (JSON.parse(o.stdout.trim().split("\n").pop()!) as { sent: number }).sent;
  }
  const after = open();
  await after.init();
  const c = await after.budgets.counter("cap", periodWindow(Date.now(), "day", "UTC").key);
  await after.close();
  return { sent, requests: server.requests.length, spent: c.spentUsd, reserved: c.reservedUsd };
}

describe("8 processes × 50 concurrent openai calls against one hard cap [sqlite]", () => {
  it("with max_tokens set the overshoot is exactly zero: 100 requests reach the provider, spent is $1", async () => {
    const path = join(dir, "on.db");
    const r = await race(() => sqliteStorage({ path }), ["sqlite", path, "-"], true);
    expect(r).toEqual({ sent: 100, requests: 100, spent: "1", reserved: "0" });
  }, 120_000);

  it("negative control: reservations switched off, more than 100 calls go out and the cap is overshot", async () => {
    const path = join(dir, "off.db");
    const r = await race(() => sqliteStorage({ path }), ["sqlite", path, "-"], false);
    expect(r.requests).toBeGreaterThan(100);
    expect(Number(r.spent)).toBeGreaterThan(1);
  }, 120_000);
});

// PostgreSQL: 400 calls in flight share each process's pool of 4. The budget store queues them in order (at most
// 4 in the pool) with a bounded wait, instead of letting the pg pool's 5 s connect timeout fail them: every call
// ends sent or refused by the budget, none by a storage error.
describePg("8 processes × 50 concurrent openai calls against one hard cap", () => {
  it("with max_tokens set the overshoot is exactly zero: 100 requests reach the provider, spent is $1", async () => {
    const url = pgUrl()!;
    const schema = uniqueSchema("tl_budget_sdk_race");
    schemas.push(schema);
    const r = await race(
      () => postgresStorage({ connectionString: url, schema }),
      ["postgres", url, schema],
      true,
    );
    expect(r).toEqual({ sent: 100, requests: 100, spent: "1", reserved: "0" });
  }, 120_000);

  it("negative control: reservations switched off, more than 100 calls go out and the cap is overshot", async () => {
    const url = pgUrl()!;
    const schema = uniqueSchema("tl_budget_sdk_race_off");
    schemas.push(schema);
    const r = await race(
      () => postgresStorage({ connectionString: url, schema }),
      ["postgres", url, schema],
      false,
    );
    expect(r.requests).toBeGreaterThan(100);
    expect(Number(r.spent)).toBeGreaterThan(1);
  }, 120_000);
});
