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
});
