import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli, sandbox } from "../helpers/cli.js";

const PRELOAD = fileURLToPath(new URL("./fixtures/abi-mismatch.cjs", import.meta.url));

describe("better-sqlite3 built for another Node (ABI mismatch)", () => {
  it("the CLI prints the whole message, with the fix, and exits 1", async () => {
    const box = sandbox();
    writeFileSync(box.ledger, ""); // a ledger path that exists, so the command gets as far as opening it
    const out = await runCli(["report"], { env: box.env, nodeArgs: ["--require", PRELOAD] });
    expect(out.code).toBe(1);
    expect(out.stderr).toContain("built for a different Node.js");
    expect(out.stderr).toContain("Fix: npm rebuild better-sqlite3");
    expect(out.stderr).toContain("NODE_MODULE_VERSION 127");
  });
});
