import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { sqliteStorage } from "tokenledger/sqlite";
import { runCli, sandbox, type Sandbox } from "../helpers/cli.js";
import { seedLedger } from "./seed.js";

const CLI_TIMEOUT = 120_000;
let box: Sandbox;
let config: string;
beforeAll(async () => {
  box = sandbox();
  config = join(box.home, "reprice.yaml");
  // acme/m-big had no price when recorded; the user has since added one.
  writeFileSync(config, 'prices:\n  acme/m-big:\n    input: "1"\n    output: "3"\n');
  await seedLedger(box.ledger, [
    {
      at: "2026-11-03T10:00:00Z",
      provider: "acme",
      model: "m-big",
      usage: { uncachedInputTokens: 1_000_000, outputTokens: 50_000 },
      costUsd: null,
    },
    // Stored $0.0001 for 10 in / 5 out; today's gpt-4o price gives $0.000075.
    { at: "2026-11-03T11:00:00Z", usage: { uncachedInputTokens: 10, outputTokens: 5 }, costUsd: "0.0001" },
    // Provided by the provider: kept.
    {
      at: "2026-11-03T12:00:00Z",
      usage: { uncachedInputTokens: 10, outputTokens: 5 },
      costUsd: "7",
      pricingKey: "provided",
    },
  ]);
});

async function totals(): Promise<{ costUsd: string; unpricedEvents: number }> {
  const s = sqliteStorage({ path: box.ledger });
  try {
    return (await s.rollup({})).totals;
  } finally {
    await s.close();
  }
}

describe("prices reprice (writing)", () => {
  it(
    "writes the new costs to the ledger file, clears the unpriced flag, and a second run writes nothing",
    async () => {
      expect(await totals()).toMatchObject({ costUsd: "7.0001", unpricedEvents: 1 });
      const first = await runCli(["--config", config, "prices", "reprice", "--json"], { env: box.env });
      expect(first.stderr).toBe("");
      expect(JSON.parse(first.stdout)).toMatchObject({
        dryRun: false,
        scanned: 3,
        changed: 2,
        written: 2,
        newlyPriced: 1,
        keptProvided: 1,
        beforeUsd: "7.0001",
        afterUsd: "8.150075",
      });
      // 1,000,000 × $1 + 50,000 × $3 per 1M = $1.15; + $0.000075 + the provided $7.
      expect(await totals()).toMatchObject({ costUsd: "8.150075", unpricedEvents: 0 });

      const second = await runCli(["--config", config, "prices", "reprice"], { env: box.env });
      expect(second.stderr).toBe("");
      expect(second.stdout).toMatch(/0 changed .*\n.*0 events rewritten/);
      expect(await totals()).toMatchObject({ costUsd: "8.150075", unpricedEvents: 0 });
    },
    CLI_TIMEOUT,
  );

  it(
    "names a bad flag or value and writes nothing",
    async () => {
      const before = await totals();
      const bad = await runCli(["prices", "reprice", "--modle", "x"], { env: box.env });
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/unknown option '--modle'/);
      const since = await runCli(["prices", "reprice", "--since", "yesterdayish"], { env: box.env });
      expect(since.code).toBe(1);
      expect(since.stderr).toMatch(/--since "yesterdayish" is not a date/);
      expect(await totals()).toEqual(before);
      // The top-level spelling from the docs, `tokenledger reprice`, is the same command.
      const top = await runCli(["--config", config, "reprice", "--dry-run", "--json"], { env: box.env });
      expect(top.stderr).toBe("");
      expect(JSON.parse(top.stdout)).toMatchObject({ dryRun: true, scanned: 3, changed: 0, written: 0 });
    },
    CLI_TIMEOUT,
  );
});
