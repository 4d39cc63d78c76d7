import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sqliteStorage } from "tokenledger/sqlite";
import { ledgerEvent } from "../contract/ledger-events.js";
import { runCli, sandbox } from "../helpers/cli.js";

describe("tokenledger budget with budgets in tokenledger.config.yaml", () => {
  it("syncs the file's budgets, refuses CLI edits to them, sets a rate_limit budget, rebuilds spent from events", async () => {
    const box = sandbox();
    const config = join(box.home, "tokenledger.config.yaml");
    writeFileSync(
      config,
      [
        "timezone: Europe/Berlin",
        "budgets:",
        "  - id: search-month",
        "    scope: team",
        "    scopeId: search",
        "    period: month",
        "    amountUsd: 500",
        "",
      ].join("\n"),
    );
    const cli = (...args: string[]) => runCli(["--config", config, ...args], { env: box.env });

    const list = await cli("budget", "list", "--json");
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toMatchObject([
      { id: "search-month", amountUsd: "500", timeZone: "Europe/Berlin", managedBy: config },
    ]);

    const edit = await cli(
      "budget",
      "set",
      "--id",
      "search-month",
      "--scope",
      "org",
      "--period",
      "day",
      "--amount",
      "1",
    );
    expect(edit.code).not.toBe(0);
    expect(edit.stderr).toContain(`budget "search-month" is declared in ${config} (budgets:); edit it there`);

    const rate = await cli(
      "budget",
      "set",
      "--id",
      "rpm",
      "--scope",
      "org",
      "--period",
      "day",
      "--amount",
      "5",
      "--action",
      "rate_limit",
      "--requests-per-minute",
      "60",
      "--json",
    );
    expect(rate.code, rate.stderr).toBe(0);
    expect(JSON.parse(rate.stdout)).toMatchObject({
      id: "rpm",
      action: "rate_limit",
      rateLimit: { requestsPerMinute: 60 },
    });

    const s = sqliteStorage({ path: box.ledger });
    await s.init();
    await s.insertBatch([
      ledgerEvent({ at: Date.now(), teamId: "search", costUsd: "1.25" }),
      ledgerEvent({ at: Date.now(), teamId: "search", costUsd: "0.000000000001" }),
    ]);
    await s.close();
    const rebuilt = await cli("budget", "rebuild", "search-month", "--json");
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(JSON.parse(rebuilt.stdout)).toMatchObject([
      { budgetId: "search-month", beforeUsd: "0", afterUsd: "1.250000000001" },
    ]);

    const past = await cli("budget", "rebuild", "search-month", "--at", "2020-01-15", "--json");
    expect(past.code, past.stderr).toBe(0);
    expect(JSON.parse(past.stdout)).toMatchObject([{ periodKey: "2020-01", afterUsd: "0" }]);
    expect((await cli("budget", "rebuild", "--at", "soon")).stderr).toContain('--at: "soon" is not a date');

    // A bad file is refused with the file, the budget's index and the field.
    writeFileSync(
      config,
      "budgets:\n  - id: x\n    scope: team\n    scopeId: a\n    period: month\n    amountUsd: 5\n    timeZone: Mars/Base\n",
    );
    const bad = await cli("budget", "list");
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain(`${config}: budgets[0].timeZone "Mars/Base" is not an IANA time zone`);
  }, 180_000);
});
