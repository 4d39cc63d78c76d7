import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { ROOT, runNode, sandbox } from "../helpers/cli.js";

describe("npm run demo (the README's first command)", () => {
  it("writes its own ledger where it was run, prints its path and the next command, and leaves the real ledger alone", async () => {
    const box = sandbox();
    const where = mkdtempSync(join(tmpdir(), "tl-demo-cwd-"));
    // The user's real ledgers: the default file, and one configured in the environment.
    const defaultLedger = join(box.env.XDG_DATA_HOME!, "tokenledger", "ledger.db");
    const { TOKENLEDGER_DATABASE_URL: configured, ...env } = box.env;
    // `npm --prefix <clone> run demo` from another directory: npm runs the script in the clone and says where
    // the command was typed (INIT_CWD), which is where the demo ledger goes.
    const r = await runNode(["--prefix", ROOT, "run", "--silent", "demo"], {
      command: "npm",
      cwd: where,
      env: { PATH: process.env.PATH ?? "", NO_COLOR: "1", ...env, TOKENLEDGER_DATABASE_URL: configured! },
      timeoutMs: 90_000,
    });
    expect(r.code, r.stderr).toBe(0);
    const demoLedger = join(where, ".tokenledger-demo", "ledger.db");
    expect(r.stdout).toContain(`ledger: sqlite at ${demoLedger}`);
    expect(r.stdout).toContain(`next:   npx tokenledger report --db "${demoLedger}"`);
    const db = new Database(demoLedger, { readonly: true });
    expect(db.prepare("SELECT count(*) AS n FROM token_ledger_events").get()).toEqual({ n: 4 });
    db.close();
    expect(existsSync(defaultLedger)).toBe(false);
    expect(existsSync(configured!)).toBe(false);
  }, 90_000);
});
