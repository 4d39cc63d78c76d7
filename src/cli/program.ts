import { createRequire } from "node:module";
import { Command, Help, Option } from "commander";
import type { CliContext, GlobalOptions } from "./context.js";
import { LAZY_COMMANDS, commandWords } from "./command-list.js";
import { backendHelp } from "../storage-backends.js";

/** Runs a command body with a context built from the global flags, closing the ledger afterwards. */
export type Runner = <A extends unknown[]>(
  body: (ctx: CliContext, ...args: A) => Promise<void>,
) => (...args: [...A, Command]) => Promise<void>;

function version(): string {
  try {
    // src/cli/program.ts and dist/cli.js both sit two levels below package.json... or one; try both.
    const require = createRequire(import.meta.url);
    for (const p of ["../../package.json", "../package.json"]) {
      try {
        const pkg = require(p) as { name?: string; version?: string };
        if (pkg.name === "tokenledger" && pkg.version) return pkg.version;
      } catch {
        /* try the next location */
      }
    }
  } catch {
    /* fall through */
  }
  return "0.0.0";
}

/** Commander's errors as one line, and thrown (exitOverride) rather than exiting, for a command and its subcommands. */
function quiet(command: Command): void {
  command.exitOverride().configureOutput({ outputError: (text, write) => write(text.split("\n")[0] + "\n") });
  for (const sub of command.commands) quiet(sub);
}

/**
 * The program for one command line (`argv` as in process.argv). Only the command it names is loaded (see
 * ./command-list.ts); the others are listed by name and summary, so `--version` and `--help` load no storage
 * driver, config loader or price catalog.
 */
export async function createProgram(argv: readonly string[] = process.argv): Promise<Command> {
  const program = new Command("tokenledger")
    .description("Token, cost and latency reports from your LLM usage ledger.")
    .version(version(), "-v, --version")
    .addOption(
      new Option(
        "--db <url>",
        `ledger: ${backendHelp()} (default: $TOKENLEDGER_DATABASE_URL, $DATABASE_URL, config, ~/.local/share/tokenledger/ledger.db)`,
      ),
    )
    .addOption(
      new Option(
        "--config <file>",
        "config file (default: nearest tokenledger.config.yaml, then ~/.config/tokenledger/config.yaml)",
      ),
    )
    .option("--no-color", "plain output without colour (also NO_COLOR=1 or when piped)")
    .option("--debug", "log details and peak memory to stderr")
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({ outputError: (text, write) => write(text.split("\n")[0] + "\n") })
    .addHelpText(
      "after",
      `
Examples:
  $ tokenledger report --period daily --since 2026-11-01
  $ tokenledger report --group-by team,model --where environment=production --json
  $ tokenledger costs --provider anthropic
  $ tokenledger import claude-code
  $ tokenledger prices check`,
    );

  // Every command body gets its context here, and the ledger is closed in `finally` even when the body throws,
  // so connections and SQLite handles are released before the error is printed and the exit code returned.
  // The context module is imported lazily so `--help` never loads the config loader or storage resolver.
  const run: Runner =
    (body) =>
    async (...args) => {
      const command = args[args.length - 1] as Command;
      const { CliContext } = await import("./context.js");
      const ctx: CliContext = await CliContext.create(command.optsWithGlobals<GlobalOptions>());
      try {
        await body(ctx, ...(args.slice(0, -1) as never));
      } finally {
        await ctx.close();
      }
    };

  // Only the command the line names is loaded; the rest are stubs with the same name and summary, so the
  // top-level help lists every command without importing them (a test compares stub and real descriptions).
  const named = new Set(commandWords(argv.slice(2)));
  const stubTerms = new Map<Command, string>();
  for (const entry of LAZY_COMMANDS) {
    if (named.has(entry.name)) quiet((await entry.load())(program, run));
    else stubTerms.set(program.command(entry.name).description(entry.summary), entry.term);
  }
  const help = new Help();
  program.configureHelp({ subcommandTerm: (cmd) => stubTerms.get(cmd) ?? help.subcommandTerm(cmd) });
  return program;
}
