import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Command, Help } from "commander";
import { describe, expect, it } from "vitest";
import { LAZY_COMMANDS, commandWords } from "../../src/cli/command-list.js";
import type { Runner } from "../../src/cli/program.js";
import { sandbox } from "../helpers/cli.js";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const HOOK = join(ROOT, "test", "fixtures", "import-log", "register.mjs");
/** What start-up must not load: storage drivers, the query builder, the config loader and schema, the TUI (modules
 * loaded with require(), as better-sqlite3 is, are not logged; kysely stands for the SQL adapters). */
const HEAVY = /node_modules\/(kysely|better-sqlite3|pg|ink|react|cosmiconfig|zod|yaml|cli-table3)\//;

/** Runs the CLI from source with every resolved module URL logged; returns the heavy ones it loaded. */
function heavyModulesLoaded(args: string[]): { code: number | null; heavy: string[]; stdout: string } {
  const box = sandbox();
  const log = join(box.home, "imports.log");
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", "--import", HOOK, join(ROOT, "src", "cli", "index.ts"), ...args],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        ...box.env,
        TL_IMPORT_LOG: log,
        NO_COLOR: "1",
        TSX_TSCONFIG_PATH: join(ROOT, "tsconfig.json"),
      },
      encoding: "utf8",
      timeout: 60_000,
    },
  );
  let urls: string[] = [];
  try {
    urls = readFileSync(log, "utf8").split("\n");
  } catch {
    /* nothing logged */
  }
  const heavy = [...new Set(urls.map((u) => HEAVY.exec(u)?.[1]).filter((m): m is string => Boolean(m)))];
  return { code: r.status, heavy, stdout: r.stdout };
}

describe("CLI start-up loads only the command it runs", () => {
  it("--version and --help load no storage driver, config loader or TUI", () => {
    for (const args of [["--version"], ["--help"]]) {
      const r = heavyModulesLoaded(args);
      expect(r.code, args.join(" ")).toBe(0);
      expect(r.heavy, args.join(" ")).toEqual([]);
    }
  }, 120_000);

  it("control: a command that opens the ledger does load them (the log sees heavy modules)", () => {
    const r = heavyModulesLoaded(["db", "status"]);
    expect(r.code).toBe(0);
    expect(r.heavy).toEqual(expect.arrayContaining(["kysely", "cosmiconfig"]));
  }, 120_000);

  it("the top-level help lists every command with its own description", async () => {
    const run: Runner = () => async () => {};
    for (const entry of LAZY_COMMANDS) {
      const command = (await entry.load())(new Command("tokenledger"), run);
      expect(command.name()).toBe(entry.name);
      expect(command.description()).toBe(entry.summary);
      expect(new Help().subcommandTerm(command)).toBe(entry.term);
    }
  });

  it("finds the command word past global options and their values", () => {
    expect(commandWords(["--db", "/tmp/l.db", "report", "--json"])).toEqual(["report"]);
    expect(commandWords(["--config", "report", "costs"])).toEqual(["costs"]);
    expect(commandWords(["--db=/tmp/l.db", "--no-color", "export"])).toEqual(["export"]);
    expect(commandWords(["help", "prices"])).toEqual(["help", "prices"]);
    expect(commandWords(["--version"])).toEqual([]);
  });
});
