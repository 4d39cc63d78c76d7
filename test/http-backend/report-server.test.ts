import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StorageAdapter } from "tokenledger";
import { sqliteStorage } from "tokenledger/sqlite";
import { runCli, sandbox } from "../helpers/cli.js";
import { seedLedger } from "../cli/seed.js";
import { startTestLedgerServer, type TestLedgerServer } from "../helpers/ledger-test-server.js";

const box = sandbox();
let ledger: StorageAdapter;
let server: TestLedgerServer;

beforeAll(async () => {
  await seedLedger(box.ledger, [
    {
      at: "2026-10-03T10:00:00Z",
      model: "gpt-4o",
      teamId: "eng",
      costUsd: "0.125",
      unpriced: false,
      usage: { uncachedInputTokens: 100, outputTokens: 20 },
    },
    {
      at: "2026-10-20T10:00:00Z",
      model: "claude-sonnet-4",
      provider: "anthropic",
      teamId: "eng",
      costUsd: "1.5",
      unpriced: false,
      usage: { uncachedInputTokens: 1000 },
    },
    {
      at: "2026-11-02T10:00:00Z",
      model: "gpt-4o",
      teamId: "ops",
      costUsd: "0.000000000001",
      unpriced: false,
      usage: { outputTokens: 7 },
    },
    {
      at: "2026-11-05T10:00:00Z",
      model: "mystery",
      teamId: "ops",
      costUsd: null,
      usage: { outputTokens: 3 },
    },
  ]);
  ledger = sqliteStorage({ path: box.ledger });
  await ledger.init();
  server = await startTestLedgerServer({ storage: ledger, role: "viewer" });
});
afterAll(async () => {
  await server.close();
  await ledger.close();
  rmSync(box.home, { recursive: true, force: true });
});

describe("tokenledger report --server", () => {
  const env = () => ({ ...box.env, TOKENLEDGER_API_KEY: server.apiKey });

  it("prints what a local report prints, from the server's aggregate API (JSON and table)", async () => {
    const args = ["report", "-p", "monthly", "--group-by", "team", "--tz", "UTC"];
    const [local, remote, localTable, remoteTable, viaTarget] = await Promise.all([
      runCli([...args, "--json"], { env: env() }),
      runCli([...args, "--json", "--server", server.url], {
        env: { ...env(), TOKENLEDGER_DATABASE_URL: "/nonexistent/ledger.db" },
      }),
      runCli(args, { env: env() }),
      runCli([...args, "--server", server.url], { env: env() }),
      // A ledger configured as the server's URL is read through the API without --server.
      runCli([...args, "--json"], { env: { ...env(), TOKENLEDGER_DATABASE_URL: server.url } }),
    ]);
    expect(remote.code, remote.stderr).toBe(0);
    expect(local.code, local.stderr).toBe(0);
    expect(remote.stdout).toBe(local.stdout);
    expect(viaTarget.stdout).toBe(local.stdout);
    expect(JSON.parse(remote.stdout).totals.costUsd).toBe("1.625000000001");
    expect(remoteTable.stdout).toBe(localTable.stdout);
    expect(remoteTable.stderr).toContain("1 event(s) have no price");
  }, 60_000);

  it("costs --server prints what costs prints locally", async () => {
    const args = ["costs", "--period", "monthly", "--tz", "UTC", "--json"];
    const [local, remote] = await Promise.all([
      runCli(args, { env: env() }),
      runCli([...args, "--server", server.url], { env: env() }),
    ]);
    expect(remote.code, remote.stderr).toBe(0);
    expect(remote.stdout).toBe(local.stdout);
    expect(remote.stdout).toContain("1.625000000001");
  }, 60_000);

  it("without a key, the error names TOKENLEDGER_API_KEY; a wrong key is a 401 saying to check it", async () => {
    const [missing, wrong] = await Promise.all([
      runCli(["report", "--server", server.url], { env: box.env }),
      runCli(["report", "--server", server.url], {
        env: { ...box.env, TOKENLEDGER_API_KEY: "tl_wrong000_00000000000000000000000000000000" },
      }),
    ]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/TOKENLEDGER_API_KEY/);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/HTTP 401.*check TOKENLEDGER_API_KEY/);
    expect(wrong.stderr).not.toContain("tl_wrong000_000");
  }, 60_000);

  it("report -p blocks and export (events and rollup) --server print what they print locally", async () => {
    const runs = [
      ["report", "-p", "blocks", "--tz", "UTC", "--json"],
      ["export", "--format", "jsonl", "--since", "2026-10-10", "--tz", "UTC"],
      ["export", "--what", "rollup", "--group-by", "team,model", "--bucket", "month", "--tz", "UTC"],
    ];
    const [local, remote] = await Promise.all([
      Promise.all(runs.map((args) => runCli(args, { env: env() }))),
      Promise.all(runs.map((args) => runCli([...args, "--server", server.url], { env: env() }))),
    ]);
    for (const [i, r] of remote.entries()) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout, runs[i]!.join(" ")).toBe(local[i]!.stdout);
    }
    expect(remote[0]!.stdout).toContain("1.625000000001");
    expect(remote[1]!.stdout.trim().split("\n")).toHaveLength(3); // the events since 2026-10-10
    expect(remote[2]!.stdout).toContain("2026-11,ops,gpt-4o,");
  }, 120_000);

  it("refuses plain http://, session grouping and event filters the server lacks, naming the flag", async () => {
    const [plain, session, where] = await Promise.all([
      runCli(["report", "--server", server.httpUrl], { env: env() }),
      runCli(["report", "-p", "session", "--server", server.url], { env: env() }),
      runCli(["export", "--where", "environment=prod", "--server", server.url], { env: env() }),
    ]);
    expect(plain.code).not.toBe(0);
    expect(plain.stderr).toMatch(/--server: .*plain http/);
    expect(session.code).not.toBe(0);
    expect(session.stderr).toMatch(/--server: grouping by session is not available/);
    expect(where.code).not.toBe(0);
    expect(where.stderr).toMatch(/--where environment: .* not available with --server/);
    expect(where.stdout).toBe("");
  }, 60_000);
});
