import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { sandbox } from "../cli/run-cli.js";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const PRELOAD = fileURLToPath(new URL("./fixtures/abi-mismatch.cjs", import.meta.url));

describe("better-sqlite3 built for another Node (ABI mismatch)", () => {
  it("the CLI prints the whole message, with the fix, and exits 1", async () => {
    const box = sandbox();
    writeFileSync(box.ledger, ""); // a ledger path that exists, so the command gets as far as opening it
    const out = await new Promise<{ code: number | null; stderr: string }>((done) => {
      const child = spawn(
        process.execPath,
        ["--require", PRELOAD, "--import", "tsx", join(ROOT, "src/cli/index.ts"), "report"],
        {
          cwd: ROOT,
          env: { PATH: process.env.PATH ?? "", NO_COLOR: "1", ...box.env },
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      child.on("close", (code) => done({ code, stderr }));
    });
    expect(out.code).toBe(1);
    expect(out.stderr).toContain("built for a different Node.js");
    expect(out.stderr).toContain("Fix: npm rebuild better-sqlite3");
    expect(out.stderr).toContain("NODE_MODULE_VERSION 127");
  });
});
