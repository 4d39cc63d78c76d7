import { describe, expect, it } from "vitest";
import { periodWindow } from "tokenledger";
import { sqliteStorage } from "tokenledger/sqlite";
import { runCli, sandbox } from "../helpers/cli.js";

describe("tokenledger budget set | list | status | delete", () => {
  it("manages budgets in the ledger and reports spent, reserved, remaining and percent", async () => {
    const box = sandbox();
    const cli = (...args: string[]) => runCli(args, { env: box.env });
    const set = await cli(
      "budget",
      "set",
      "--id",
      "search",
      "--scope",
      "team",
      "--scope-id",
      "search",
      "--period",
      "month",
      "--amount",
      "20.00",
      "--tz",
      "Europe/Berlin",
      "--json",
    );
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({
      id: "search",
      amountUsd: "20",
      timeZone: "Europe/Berlin",
    });

    // Spend recorded by the SDK in another process.
    const s = sqliteStorage({ path: box.ledger });
    const store = s.budgets;
    const [b] = await store.list();
    const key = periodWindow(Date.now(), "month", "Europe/Berlin").key;
    await store.reserve({
      id: "r1",
      items: [{ budget: b!, periodKey: key }],
      amountUsd: "6",
      expiresAt: Date.now() + 60_000,
      now: Date.now(),
    });
    await store.settle("r1", "5.5");
    await store.reserve({
      id: "r2",
      items: [{ budget: b!, periodKey: key }],
      amountUsd: "1.25",
      expiresAt: Date.now() + 60_000,
      now: Date.now(),
    });
    await s.close();

    const status = await cli("budget", "status", "--json");
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject([
      {
        periodKey: key,
        spentUsd: "5.5",
        reservedUsd: "1.25",
        remainingUsd: "13.25",
        percentUsed: 27.5,
        // no events recorded in the ledger: no daily history to project from
        forecastUsd: null,
        forecast: { status: "insufficient_data", historyDays: 0 },
      },
    ]);
    const text = await cli("budget", "status");
    expect(text.stdout).toContain("spent $5.5 + reserved $1.25 of $20  (27.5%)");
    expect(text.stdout).toContain("forecast: insufficient data (0 of 3 days of spend)");

    expect((await cli("budget", "list")).stdout).toContain(
      "search  team=search  month (Europe/Berlin)  $20  block",
    );
    expect((await cli("budget", "delete", "search")).code).toBe(0);
    expect((await cli("budget", "list")).stdout).toBe("No budgets.\n");
  }, 180_000);

  it("refuses bad input naming the field", async () => {
    const box = sandbox();
    const r = await runCli(
      ["budget", "set", "--scope", "team", "--scope-id", "a", "--period", "month", "--amount", "-5"],
      {
        env: box.env,
      },
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("budget amountUsd:");
    const tz = await runCli(
      ["budget", "set", "--scope", "org", "--period", "day", "--amount", "5", "--tz", "Nowhere/City"],
      {
        env: box.env,
      },
    );
    expect(tz.stderr).toContain("budget timeZone:");
    const gone = await runCli(["budget", "delete", "nope"], { env: box.env });
    expect(gone.stderr).toContain('budget "nope" does not exist');
  }, 180_000);
});
