import { existsSync, openSync, closeSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli, sandbox } from "../helpers/cli.js";
import { seedLedger } from "../cli/seed.js";

const box = sandbox();

describe("read-only commands never create a ledger", () => {
  it.each([["report"], ["costs"], ["export"]])(
    "%s --db <missing dir>/ledger.db: an error saying no ledger exists there; nothing created",
    async (command) => {
      const dir = join(box.home, `missing-${command}`);
      const db = join(dir, "ledger.db");
      const r = await runCli(["--db", db, command], { env: box.env });
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain(`no ledger at ${db}`);
      expect(existsSync(dir)).toBe(false);
    },
  );

  it("the default ledger from the environment is not created by `report` either", async () => {
    const ledger = join(box.home, "not-yet.db");
    const r = await runCli(["report"], { env: { ...box.env, TOKENLEDGER_DATABASE_URL: ledger } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`no ledger at ${ledger} (from TOKENLEDGER_DATABASE_URL)`);
    expect(existsSync(ledger)).toBe(false);
  });

  it("--db of only spaces is an error naming --db, not the default ledger", async () => {
    const r = await runCli(["--db", "   ", "report"], { env: box.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--db is blank/);
  });
});

describe("output that cannot be written is a failure, not a truncated success", () => {
  beforeAll(async () => {
    await seedLedger(box.ledger, [
      {
        at: "2026-11-01T10:00:00Z",
        usage: { uncachedInputTokens: 1000, outputTokens: 500 },
        costUsd: "0.0075",
      },
    ]);
  });

  it.each([[["report", "--since", "2026-11-01"]], [["export", "--since", "2026-11-01"]]])(
    "%j > /dev/full exits 1 with the OS error",
    async (args) => {
      const full = openSync("/dev/full", "w");
      try {
        const out = await runCli(args, { env: box.env, stdoutFd: full });
        expect(out.code).toBe(1);
        expect(out.stderr).toMatch(/cannot write the output: ENOSPC/);
      } finally {
        closeSync(full);
      }
    },
  );

  it("export --out /dev/full exits 1 naming the file and the OS error", async () => {
    const r = await runCli(["export", "--since", "2026-11-01", "--out", "/dev/full"], { env: box.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ENOSPC/);
  });
});
