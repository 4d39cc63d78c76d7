import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, sandbox } from "../helpers/cli.js";

describe("command-line changes land in the audit trail", () => {
  it("budget set, replace and delete are audited with the OS user as actor; the chain verifies", async () => {
    const box = sandbox();
    const set = (amount: string) =>
      runCli(["budget", "set", "--id", "b1", "--scope", "org", "--period", "month", "--amount", amount], {
        env: box.env,
      });
    expect((await set("10")).code).toBe(0);
    expect((await set("20")).code).toBe(0);
    expect((await runCli(["budget", "delete", "b1"], { env: box.env })).code).toBe(0);
    const { sqliteStorage } = await import("tokenledger/sqlite");
    const s = sqliteStorage({ path: box.ledger });
    try {
      const entries = await s.audit.list(10);
      expect(entries.map((e) => e.action)).toEqual(["budget.delete", "budget.update", "budget.create"]);
      expect(entries[1]!.details).toMatchObject({ before: { amountUsd: "10" }, after: { amountUsd: "20" } });
      expect(entries[0]!.actor).toMatch(/^cli:/);
      expect(await s.audit.verify()).toEqual({ ok: true, rows: 3 });
    } finally {
      await s.close();
    }
  }, 120_000);

  it("import, prices import and reprice are audited (a dry run is not); the chain verifies", async () => {
    const box = sandbox();
    const usage = join(box.home, "usage.jsonl");
    writeFileSync(
      usage,
      JSON.stringify({
        timestamp: "2026-11-05T12:00:00Z",
        provider: "openai",
        model: "acme-pro-7",
        usage: { uncachedInputTokens: 1000, outputTokens: 100 },
      }),
    );
    const prices = join(box.home, "litellm.json");
    writeFileSync(
      prices,
      JSON.stringify({
        "acme-pro-7": {
          litellm_provider: "openai",
          mode: "chat",
          input_cost_per_token: 0.000003,
          output_cost_per_token: 0.000015,
        },
      }),
    );
    const cli = async (...args: string[]) => {
      const r = await runCli(args, { env: box.env });
      expect(r.code, r.stderr).toBe(0);
    };
    await cli("import", "jsonl", usage);
    await cli("prices", "import", prices);
    await cli("prices", "reprice", "--dry-run");
    await cli("prices", "reprice");
    const { sqliteStorage } = await import("tokenledger/sqlite");
    const s = sqliteStorage({ path: box.ledger });
    try {
      const entries = await s.audit.list(10);
      expect(entries.map((e) => e.action)).toEqual(["prices.reprice", "prices.import", "import.run"]);
      expect(entries[0]!.details).toMatchObject({ changed: 1, written: 1 });
      expect(entries[1]!.target).toBe(prices);
      expect(entries[2]).toMatchObject({ target: "jsonl", details: { added: 1 } });
      expect(await s.audit.verify()).toEqual({ ok: true, rows: 3 });
    } finally {
      await s.close();
    }
  }, 180_000);
});
