import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as cp from "../fixtures/quota/copilot.js";
import * as or from "../fixtures/quota/openrouter.js";
import { runCli, sandbox, type CliResult } from "../helpers/cli.js";
import { fakeQuotaServer } from "./fake-quota-server.js";

const KEY = "sk-or-v1-0123456789abcdef-secret";

/** The CLI with text on stdin. */
function cli(args: string[], env: Record<string, string>, input = ""): Promise<CliResult> {
  return runCli(args, { env, input });
}

describe("tokenledger quota (CLI, real process)", () => {
  const box = sandbox();
  let orServer: Awaited<ReturnType<typeof fakeQuotaServer>>;
  let ghServer: Awaited<ReturnType<typeof fakeQuotaServer>>;
  let env: Record<string, string>;
  beforeAll(async () => {
    orServer = await fakeQuotaServer({ "/api/v1/key": { json: or.keyDailyCap } });
    ghServer = await fakeQuotaServer({
      "/copilot_internal/user": { json: cp.business },
      "/user": { json: cp.user },
    });
    env = { ...box.env, TOKENLEDGER_OPENROUTER_URL: orServer.url, TOKENLEDGER_GITHUB_API_URL: ghServer.url };
  });
  afterAll(async () => {
    await orServer.close();
    await ghServer.close();
  });

  it("with no account, says how to add one and prints an empty list as JSON", async () => {
    const r = await cli(["quota", "--json", "--once"], env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ accounts: [] });
    expect(r.stderr).toContain("tokenledger quota add");
  });

  it("refuses a malformed key with a clear error and stores nothing", async () => {
    const r = await cli(["quota", "add", "openrouter", "--stdin"], env, "sk-ant-wrong\n");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/OpenRouter: an OpenRouter key starts with "sk-or-"/);
    expect(existsSync(join(box.home, "config", "tokenledger", "quota-accounts.json"))).toBe(false);
  });

  it("adds an account from stdin into the best store (a 0600 file here, announced), never echoing the key", async () => {
    const r = await cli(["quota", "add", "openrouter", "--stdin"], env, `${KEY}\n`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(KEY);
    expect(r.stderr).toMatch(/Added openrouter\/sk-or-v1-abc\.\.\.f00/);
    const credFile = join(box.home, "config", "tokenledger", "credentials.json");
    if (existsSync(credFile)) {
      expect(r.stderr).toMatch(/no OS keyring is available/);
      expect(statSync(credFile).mode & 0o777).toBe(0o600);
    }
    const accounts = readFileSync(join(box.home, "config", "tokenledger", "quota-accounts.json"), "utf8");
    expect(accounts).not.toContain(KEY);
  });

  it("--json --once prints exact figures, unknown as null, and records one history row per change in the ledger", async () => {
    const r = await cli(["quota", "--json", "--once"], { ...env, TOKENLEDGER_COPILOT_TOKEN: "ghu_fromenv" });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      accounts: {
        provider: string;
        quotas: { window: string; used: string | null; limit: string | null; percentUsed: number | null }[];
      }[];
    };
    const orAcc = out.accounts.find((a) => a.provider === "openrouter")!;
    expect(orAcc.quotas.find((q) => q.window === "daily")).toMatchObject({
      used: "3.25",
      limit: "10",
      percentUsed: 32.5,
    });
    expect(orAcc.quotas.find((q) => q.window === "balance")).toMatchObject({
      used: null,
      limit: null,
      percentUsed: null,
    });
    const gh = out.accounts.find((a) => a.provider === "copilot")!;
    expect(gh).toMatchObject({ accountId: "583231", credentialFrom: "env" });
    expect(ghServer.seen.find((s) => s.path === "/copilot_internal/user")!.headers.authorization).toBe(
      "token ghu_fromenv",
    );
    await cli(["quota", "--json", "--once"], { ...env, TOKENLEDGER_COPILOT_TOKEN: "ghu_fromenv" });
    const db = new Database(box.ledger, { readonly: true });
    const rows = db
      .prepare("select provider, quota_window, used from token_ledger_quota_snapshots order by id")
      .all();
    db.close();
    expect(rows).toHaveLength(out.accounts.flatMap((a) => a.quotas).length);
    expect(readFileSync(box.ledger).includes(Buffer.from(KEY))).toBe(false);
  });

  it("a failing provider shows its error and never a 0; list and rm manage accounts", async () => {
    orServer.routes["/api/v1/key"] = { text: "<html>bad gateway</html>", status: 200 };
    const r = await cli(["quota", "--once"], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/openrouter\/sk-or-v1-abc\.\.\.f00 \(stale\)/);
    expect(r.stdout).toMatch(/error: \/api\/v1\/key: the answer is not JSON/);
    const list = await cli(["quota", "list"], env);
    expect(list.stdout).toContain("openrouter:user_2x9:sk-or-v1-abc...f00");
    const rm = await cli(["quota", "rm", "openrouter/sk-or-v1-abc...f00"], env);
    expect(rm.code, rm.stderr).toBe(0);
    expect((await cli(["quota", "list"], env)).stderr).toContain("no quota accounts yet");
    const bad = await cli(["quota", "rm", "openrouter/nope"], env);
    expect(bad.stderr).toMatch(/no account "openrouter\/nope"/);
  });
});
