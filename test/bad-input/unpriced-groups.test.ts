import { beforeAll, describe, expect, it } from "vitest";
import { runCli, sandbox } from "../helpers/cli.js";
import { seedLedger } from "../cli/seed.js";

const box = sandbox();

beforeAll(async () => {
  await seedLedger(box.ledger, [
    {
      at: "2026-11-01T10:00:00Z",
      model: "gpt-4o",
      usage: { uncachedInputTokens: 1000, outputTokens: 500 },
      costUsd: "0.0075",
    },
    {
      at: "2026-11-01T11:00:00Z",
      model: "mystery-model",
      usage: { uncachedInputTokens: 10, outputTokens: 5 },
    },
  ]);
});

describe("a group whose events are all unpriced shows its cost as unknown, never $0", () => {
  it("JSON: costUsd null for that group; the priced group and the totals keep their exact cost", async () => {
    const r = await runCli(["report", "--since", "2026-11-01", "--group-by", "model", "--json"], {
      env: box.env,
    });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { rows: Record<string, unknown>[]; totals: Record<string, unknown> };
    const byModel = Object.fromEntries(out.rows.map((row) => [row.model, row]));
    expect(byModel["mystery-model"]).toMatchObject({ costUsd: null, unpricedEvents: 1 });
    expect(byModel["gpt-4o"]).toMatchObject({ costUsd: "0.0075", unpricedEvents: 0 });
    expect(out.totals).toMatchObject({ costUsd: "0.0075", unpricedEvents: 1 });
  }, 120_000);

  it('table: "unpriced" in that row, not $0.00*', async () => {
    const r = await runCli(["report", "--since", "2026-11-01", "--group-by", "model"], { env: box.env });
    expect(r.code).toBe(0);
    const line = r.stdout.split("\n").find((l) => l.includes("mystery-model"))!;
    expect(line).toContain("unpriced");
    expect(line).not.toContain("$0.00");
  }, 120_000);
});
