import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  BudgetGuard,
  BudgetRateLimitedError,
  parseBudget,
  periodWindow,
  type BudgetStore,
} from "tokenledger";
import { postgresStorage } from "tokenledger/postgres";
import { sqliteStorage } from "tokenledger/sqlite";
import { describePg, dropSchema, pgUrl, uniqueSchema } from "../helpers/pg.js";
import { childOutput, spawnChild } from "../storage/child-process.js";

const dir = mkdtempSync(join(tmpdir(), "tl-budget-rate-"));
const schemas: string[] = [];
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  const url = pgUrl();
  if (url) for (const s of schemas) await dropSchema(url, s);
});

type Opened = { init(): Promise<void>; close(): Promise<void>; budgets: BudgetStore };
const PROCS = 4;
const CALLS = 25;
const RPM = 30;
const WINDOW = Date.parse("2026-12-01T10:00:00Z");

/** 4 processes × 25 concurrent calls against 30 requests per minute: how many were let through. */
async function race(open: () => Opened, args: [string, string, string], atomic: boolean): Promise<number> {
  const s = open();
  await s.init();
  await s.budgets.put(
    parseBudget({
      id: "rate",
      scope: "org",
      period: "day",
      amountUsd: "100",
      action: "rate_limit",
      rateLimit: { requestsPerMinute: RPM },
    }),
  );
  await s.close();
  const startAt = Date.now() + 1500;
  const children = await Promise.all(
    Array.from({ length: PROCS }, () =>
      spawnChild("budget-rate-taker.ts", [
        ...args,
        atomic ? "on" : "off",
        String(CALLS),
        String(startAt),
        String(WINDOW),
        String(RPM),
      ]),
    ),
  );
  let granted = 0;
  for (const o of await Promise.all(children.map((c) => childOutput(c)))) {
    expect(o.code, o.stderr).toBe(0);
    granted += (JSON.parse(o.stdout.trim().split("\n").pop()!) as { granted: number }).granted;
  }
  return granted;
}

function contract(
  name: string,
  fresh: (tag: string) => { open: () => Opened; args: [string, string, string] },
) {
  it(`${name}: one minute's limit holds across processes; the next minute starts fresh; tokens count too`, async () => {
    const f = fresh("on");
    expect(await race(f.open, f.args, true)).toBe(RPM);
    const s = f.open();
    await s.init();
    expect(await s.budgets.takeRate("rate", WINDOW, 100, { requestsPerMinute: RPM })).toEqual({
      ok: false,
      requests: RPM,
      tokens: RPM * 100,
    });
    expect(await s.budgets.takeRate("rate", WINDOW + 60_000, 100, { requestsPerMinute: RPM })).toEqual({
      ok: true,
    });
    const tpm = { tokensPerMinute: 1000 };
    expect(await s.budgets.takeRate("tok", WINDOW, 600, tpm)).toEqual({ ok: true });
    expect(await s.budgets.takeRate("tok", WINDOW, 600, tpm)).toMatchObject({ ok: false, tokens: 600 });
    expect(await s.budgets.takeRate("tok", WINDOW, 400, tpm)).toEqual({ ok: true });
    expect(await s.budgets.takeRate("big", WINDOW, 1001, tpm)).toMatchObject({ ok: false });
    // USD per minute counts whole micro-dollars: $0.01 is 10 000
    const upm = { usdPerMinute: "0.01" };
    expect(await s.budgets.takeRate("usd", WINDOW, 1, upm, 6000)).toEqual({ ok: true });
    expect(await s.budgets.takeRate("usd", WINDOW, 1, upm, 6000)).toMatchObject({ ok: false, requests: 1 });
    expect(await s.budgets.takeRate("usd", WINDOW, 1, upm, 4000)).toEqual({ ok: true });
    expect(await s.budgets.takeRate("usd", WINDOW, 1, upm, 1)).toMatchObject({ ok: false, requests: 2 });
    expect(await s.budgets.takeRate("usd-big", WINDOW, 1, upm, 10_001)).toMatchObject({ ok: false });
    await s.close();
  }, 90_000);

  it(`${name}: negative control: a read-then-write limiter lets more than the limit through`, async () => {
    const f = fresh("off");
    expect(await race(f.open, f.args, false)).toBeGreaterThan(RPM);
  }, 90_000);
}

describe("rate_limit budgets: 4 processes × 25 concurrent calls, 30 requests per minute [sqlite]", () => {
  contract("sqlite", (tag) => {
    const path = join(dir, `${tag}.db`);
    return { open: () => sqliteStorage({ path }), args: ["sqlite", path, "-"] };
  });
});

describePg("rate_limit budgets: 4 processes × 25 concurrent calls, 30 requests per minute", () => {
  contract("postgres", (tag) => {
    const url = pgUrl()!;
    const schema = uniqueSchema(`tl_budget_rate_${tag}`);
    schemas.push(schema);
    return {
      open: () => postgresStorage({ connectionString: url, schema }),
      args: ["postgres", url, schema],
    };
  });
});

describe("rate_limit budgets in USD per minute", () => {
  it("the guard counts the call's estimated cost: over the minute's dollars it is refused and its reservation released", async () => {
    const s = sqliteStorage({ path: join(dir, "usd.db") });
    await s.init();
    const put = (id: string, usdPerMinute: string) =>
      s.budgets.put(
        parseBudget({
          id,
          scope: "org",
          period: "day",
          amountUsd: "100",
          action: "rate_limit",
          rateLimit: { usdPerMinute },
        }),
      );
    const guard = new BudgetGuard({ store: s.budgets, cacheMs: 0 });
    // gpt-4o, 100 output tokens at $10/M plus a short prompt: just over $0.001 estimated
    const call = {
      provider: "openai",
      operation: "chat",
      model: "gpt-4o",
      body: { messages: [{ role: "user", content: "hi" }], max_tokens: 100 },
      attribution: {},
    };
    await put("usd-roomy", "1");
    (await guard.admit(call)).finish({ provider: "openai", model: "gpt-4o", usage: { outputTokens: 1 } });
    await put("usd-tight", "0.001");
    const err = await guard.admit(call).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BudgetRateLimitedError);
    expect(err).toMatchObject({ budgetId: "usd-tight", status: 429, limit: "$0.001/min" });
    await guard.idle();
    const key = periodWindow(Date.now(), "day", "UTC").key;
    expect(await s.budgets.counter("usd-roomy", key)).toMatchObject({ reservedUsd: "0" });
    await s.close();
  });
});
