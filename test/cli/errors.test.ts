import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, sandbox } from "../helpers/cli.js";

const box = sandbox();

/** Bad input: one line on stderr that names the problem, nothing on stdout, a non-zero exit. */
async function fails(args: string[], message: RegExp, env: Record<string, string> = {}) {
  const r = await runCli(args, { env: { ...box.env, ...env } });
  expect(r.code).not.toBe(0);
  expect(r.stdout).toBe("");
  expect(r.stderr.trim().split("\n")).toHaveLength(1);
  expect(r.stderr).toMatch(message);
}

describe.concurrent("CLI bad input", () => {
  it("unknown flag", () => fails(["report", "--colour"], /unknown option '--colour'/));
  it("bad --since", () =>
    fails(["report", "--since", "last tuesday"], /--since "last tuesday" is not a date \(YYYY-MM-DD\)/));
  it("impossible date", () =>
    fails(["report", "--since", "2026-02-30"], /--since "2026-02-30" is not a date/));
  it("bad --tz", () =>
    fails(["report", "--tz", "Mars/Olympus"], /"Mars\/Olympus" is not a known IANA time zone/));
  it("unknown --group-by dimension", () =>
    fails(["report", "--group-by", "team,region"], /unknown dimension "region" \(use provider, model/));
  it("bad --where", () => fails(["report", "--where", "team"], /"team" is not key=value/));
  it("bad --period", () =>
    fails(
      ["report", "--period", "hourly"],
      /argument 'hourly' is invalid.*daily, weekly, monthly, session, blocks/,
    ));
  it("--since after --until", () =>
    fails(
      ["report", "--since", "2026-11-05", "--until", "2026-11-01"],
      /--since 2026-11-05 is not before --until 2026-11-01/,
    ));
  it("missing import file", () =>
    fails(["import", "jsonl", "/nope/usage.jsonl"], /import jsonl: \/nope\/usage.jsonl does not exist/));
  it("missing --config file", () =>
    fails(
      ["report", "--config", "/nope/tl.yaml"],
      /--config \/nope\/tl.yaml: cannot read the file \(ENOENT\)/,
    ));
  it("unknown command", () => fails(["reprot"], /unknown command 'reprot'/));
  it("bad database URL", () =>
    fails(["report"], /TOKENLEDGER_DATABASE_URL: unsupported database scheme "mysql:"/, {
      TOKENLEDGER_DATABASE_URL: "mysql://x@h/db",
    }));

  it("corrupt config: YAML syntax error names the file and line", async () => {
    const file = join(box.home, "broken.yaml");
    writeFileSync(file, "timezone: UTC\nsubscriptions:\n  - name: max\n   provider: [anthropic\n");
    await fails(["report", "--config", file], new RegExp(`${file}: invalid YAML at line \\d+`));
  });

  it("corrupt config: schema error names the file, the key path and why", async () => {
    const file = join(box.home, "bad-schema.yaml");
    writeFileSync(
      file,
      "subscriptions:\n  - name: max\n    provider: anthropic\n    seats: 2\n    usdPerMonth: lots\n",
    );
    await fails(
      ["report", "--config", file],
      new RegExp(`${file}: subscriptions\\[0\\]\\.usdPerMonth must be a non-negative amount`),
    );
  });

  it("--help of every command has examples", async () => {
    for (const cmd of [
      ["report"],
      ["costs"],
      ["prices", "lookup"],
      ["prices", "check"],
      ["export"],
      ["db", "status"],
      ["import", "claude-code"],
      ["import", "jsonl"],
    ]) {
      const r = await runCli([...cmd, "--help"], { env: box.env });
      expect(r.code, cmd.join(" ")).toBe(0);
      expect(r.stdout, cmd.join(" ")).toMatch(/Examples:\n {2}\$ tokenledger/);
    }
  });
});
