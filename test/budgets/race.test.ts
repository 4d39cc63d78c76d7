import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Decimal } from "decimal.js";
import { afterAll, describe, expect, it } from "vitest";
import { parseBudget, periodWindow, type BudgetStore } from "tokenledger";
import { postgresStorage } from "tokenledger/postgres";
import { sqliteStorage } from "tokenledger/sqlite";
import { describePg, dropSchema, pgUrl, uniqueSchema } from "../helpers/pg.js";
import { childOutput, spawnChild } from "../storage/child-process.js";

const dir = mkdtempSync(join(tmpdir(), "tl-budget-race-"));
const schemas: string[] = [];
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  const url = pgUrl();
  if (url) for (const s of schemas) await dropSchema(url, s);
});

const PROCS = 8;
const CALLS = 50;
const LIMIT = "1.00";
const ESTIMATE = "0.01"; // the reservation: input estimate + max_tokens of output
const ACTUAL = "0.01"; // the fake returns exactly max_tokens: actual == reserved, so overshoot must be exactly 0

interface Outcome {
  spent: string;
  reserved: string;
  granted: number;
}

async function race(
  open: () => { init(): Promise<void>; close(): Promise<void>; budgets: BudgetStore },
  args: [string, string, string],
  atomic: boolean,
): Promise<Outcome> {
  const s = open();
  await s.init();
  const budget = parseBudget({ id: "race", scope: "org", period: "month", amountUsd: LIMIT });
  await s.budgets.put(budget);
  const startAt = Date.now() + 1500;
  const children = await Promise.all(
    Array.from({ length: PROCS }, () =>
      spawnChild("budget-racer.ts", [
        ...args,
        atomic ? "on" : "off",
        String(CALLS),
        String(startAt),
        ESTIMATE,
        ACTUAL,
      ]),
    ),
  );
  const outs = await Promise.all(children.map((c) => childOutput(c)));
  let granted = 0;
  for (const o of outs) {
    expect(o.code, o.stderr).toBe(0);
    granted += (JSON.parse(o.stdout.trim().split("\n").pop()!) as { granted: number }).granted;
  }
  const c = await s.budgets.counter("race", periodWindow(Date.now(), "month", "UTC").key);
  await s.close();
  return { spent: c.spentUsd, reserved: c.reservedUsd, granted };
}

function expectHeld(o: Outcome): void {
  // 400 calls × $0.01 of demand against $1.00: exactly 100 reservations fit, none beyond.
  expect(o.granted).toBe(100);
  expect(new Decimal(o.reserved).isZero()).toBe(true);
  expect(new Decimal(o.spent).toFixed()).toBe(new Decimal(LIMIT).toFixed());
}

function expectOvershoot(o: Outcome): void {
  expect(o.granted).toBeGreaterThan(100);
  expect(new Decimal(o.spent).gt(LIMIT)).toBe(true);
}

describe("budget reservations: 8 processes × 50 concurrent calls against one cap [sqlite]", () => {
  it("BEGIN IMMEDIATE reservation never grants past the cap", async () => {
    const path = join(dir, "atomic.db");
    expectHeld(await race(() => sqliteStorage({ path }), ["sqlite", path, "-"], true));
  }, 90_000);

  it("negative control: the same run with the atomic step off overshoots", async () => {
    const path = join(dir, "off.db");
    expectOvershoot(await race(() => sqliteStorage({ path }), ["sqlite", path, "-"], false));
  }, 90_000);
});

describePg("budget reservations: 8 processes × 50 concurrent calls against one cap", () => {
  it("conditional UPDATE … RETURNING never grants past the cap", async () => {
    const url = pgUrl()!;
    const schema = uniqueSchema("tl_budget_race");
    schemas.push(schema);
    expectHeld(
      await race(() => postgresStorage({ connectionString: url, schema }), ["postgres", url, schema], true),
    );
  }, 90_000);

  it("negative control: the same run with the atomic step off overshoots", async () => {
    const url = pgUrl()!;
    const schema = uniqueSchema("tl_budget_race_off");
    schemas.push(schema);
    expectOvershoot(
      await race(() => postgresStorage({ connectionString: url, schema }), ["postgres", url, schema], false),
    );
  }, 90_000);
});
