import { CommanderError } from "commander";
import { createProgram } from "./program.js";

/** Run the CLI; resolves to the exit code. Errors become one line on stderr, never a stack (unless --debug). */
export async function main(argv: readonly string[]): Promise<number> {
  // Read from argv rather than commander's options: the error handling below must see it even when parsing failed.
  const debug = argv.includes("--debug");
  // A closed pipe (`tokenledger export | head`) is a normal end, not an error.
  // Any other write failure (full disk, read-only file) must not pass for success with a truncated output.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    process.stderr.write(`tokenledger: error: cannot write the output: ${error.message}\n`);
    process.exit(1);
  });
  // argv decides which command module loads (see ./program.ts): `--help` and `--version` import no driver.
  const program = await createProgram(argv);
  let code = 0;
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander already printed its one-line message (help and --version exit 0).
      code = error.exitCode;
    } else {
      const message = error instanceof Error ? error.message : String(error);
      // The whole message: hints (such as `npm rebuild better-sqlite3`) come after the first line.
      process.stderr.write(`tokenledger: error: ${message}\n`);
      if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
      code = 1;
    }
  }
  // Peak memory, so the memory bounds of streaming imports and exports can be checked from the command line.
  if (debug) process.stderr.write(`[debug] maxRSS=${process.resourceUsage().maxRSS} KB\n`);
  return code;
}
