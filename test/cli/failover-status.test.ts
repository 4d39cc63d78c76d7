import { beforeAll, describe, expect, it } from "vitest";
import { runCli, sandbox } from "../helpers/cli.js";
import { seedLedger } from "./seed.js";

const box = sandbox();
const at = (minAgo: number): string => new Date(Date.now() - minAgo * 60_000).toISOString();
const note = (extra: Record<string, unknown>) => ({
  metadata: { failover: { group: "chat", requestedTarget: "openai:gpt-4o", ...extra } },
});

beforeAll(async () => {
  await seedLedger(box.ledger, [
    // call 1: primary 500 → azure answers
    {
      at: at(30),
      status: "error",
      httpStatus: 500,
      ...note({ effectiveTarget: "openai:gpt-4o", attempt: 1, failedBecause: "server_error" }),
    },
    {
      at: at(30),
      provider: "azure",
      ...note({ effectiveTarget: "azure:gpt-4o", attempt: 2, reason: "server_error" }),
    },
    // call 2: breaker open → azure straight away
    {
      at: at(20),
      provider: "azure",
      ...note({ effectiveTarget: "azure:gpt-4o", attempt: 1, reason: "breaker_open" }),
    },
    // call 3: primary healthy again
    { at: at(10), ...note({ effectiveTarget: "openai:gpt-4o", attempt: 1 }) },
    // an ordinary event without failover, and an old one outside the window
    { at: at(5) },
    {
      at: at(60 * 48),
      status: "error",
      ...note({ effectiveTarget: "openai:gpt-4o", attempt: 1, failedBecause: "rate_limited" }),
    },
  ]);
});

describe("tokenledger failover status", () => {
  it("shows per target attempts, answers, failures, switches and open-breaker skips from the ledger", async () => {
    const r = await runCli(["failover", "status", "--json"], { env: box.env });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(rows).toEqual([
      expect.objectContaining({
        group: "chat",
        target: "azure:gpt-4o",
        attempts: 2,
        answered: 2,
        failed: 0,
        switchedAway: 0,
      }),
      expect.objectContaining({
        group: "chat",
        target: "openai:gpt-4o",
        attempts: 2,
        answered: 1,
        failed: 1,
        switchedAway: 1,
        skippedOpen: 1,
        lastFailureReason: "server_error",
      }),
    ]);
  });

  it("prints a table, and refuses a bad --hours naming the flag", async () => {
    const table = await runCli(["--no-color", "failover", "status"], { env: box.env });
    expect(table.stdout).toContain("Skipped (open)");
    expect(table.stdout).toContain("azure:gpt-4o");
    const bad = await runCli(["failover", "status", "--hours", "-1"], { env: box.env });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--hours "-1" is not a positive number');
  });
});
