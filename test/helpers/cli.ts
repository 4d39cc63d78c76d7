import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const CLI_ENTRY = join(ROOT, "src", "cli", "index.ts");

export interface ChildResult {
  /** Exit code; -1 when the child was killed by a signal. */
  readonly code: number;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** `performance.now()` when the child exited (its pipes may drain a little later). */
  readonly exitedAt: number;
}

export interface RunNodeOptions {
  /** The child's whole environment; default this process's. */
  readonly env?: NodeJS.ProcessEnv;
  /** Default: the repository root. */
  readonly cwd?: string;
  /** Written to stdin, which is then closed (default: no stdin). */
  readonly input?: string;
  /** A file descriptor for stdout instead of a pipe (e.g. /dev/full); `stdout` is then empty. */
  readonly stdoutFd?: number;
  /** Killed with SIGKILL after this long; default 60 s. */
  readonly timeoutMs?: number;
  /** Sees stdout as it arrives (all of it so far), e.g. to signal the child once it reports ready. */
  readonly onStdout?: (soFar: string, child: { kill(signal: NodeJS.Signals): void }) => void;
  /** Another executable than this Node (e.g. `npm`). */
  readonly command?: string;
}

/**
 * Run `node <args>` (this Node) as a separate process and collect its output. Resolves at `close`, after the pipes
 * drained: reading at `exit` can lose the end of the output under load.
 */
export function runNode(args: readonly string[], opts: RunNodeOptions = {}): Promise<ChildResult> {
  return new Promise((done, fail) => {
    const child = spawn(opts.command ?? process.execPath, args, {
      cwd: opts.cwd ?? ROOT,
      env: opts.env ?? process.env,
      stdio: [opts.input === undefined ? "ignore" : "pipe", opts.stdoutFd ?? "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let exitedAt = Number.NaN;
    child.stdout?.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      opts.onStdout?.(stdout, child);
    });
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.stdin?.end(opts.input);
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
    child.on("error", fail);
    child.on("exit", () => (exitedAt = performance.now()));
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      done({ code: code ?? -1, signal, stdout, stderr, exitedAt });
    });
  });
}

export type CliResult = ChildResult;

export interface Sandbox {
  /** A fake home with XDG dirs inside it: the user's real files are never touched. */
  readonly home: string;
  readonly ledger: string;
  readonly env: Record<string, string>;
}

export function sandbox(): Sandbox {
  const home = mkdtempSync(join(tmpdir(), "tl-cli-"));
  for (const d of ["data", "config", "state", "cache"]) mkdirSync(join(home, d), { recursive: true });
  const ledger = join(home, "ledger.db");
  return {
    home,
    ledger,
    env: {
      HOME: home,
      XDG_DATA_HOME: join(home, "data"),
      XDG_CONFIG_HOME: join(home, "config"),
      XDG_STATE_HOME: join(home, "state"),
      XDG_CACHE_HOME: join(home, "cache"),
      TOKENLEDGER_DATABASE_URL: ledger,
    },
  };
}

export interface RunCliOptions extends Omit<RunNodeOptions, "env" | "command"> {
  /** Added to a minimal environment (PATH, TZ=UTC, NO_COLOR=1). */
  readonly env?: Record<string, string>;
  /** Node options before the CLI entry (e.g. `--require` a preload). */
  readonly nodeArgs?: readonly string[];
}

/**
 * Spawn the CLI as a user would: through tsx on the sources by default (about 1 s of startup), or the
 * built `dist/cli.js` with TOKENLEDGER_TEST_BUILT_CLI=1 after `npm run build`.
 */
export function runCli(args: readonly string[], opts: RunCliOptions = {}): Promise<CliResult> {
  const entry =
    process.env.TOKENLEDGER_TEST_BUILT_CLI === "1"
      ? [join(ROOT, "dist", "cli.js")]
      : ["--import", "tsx", CLI_ENTRY];
  return runNode([...(opts.nodeArgs ?? []), ...entry, ...args], {
    ...opts,
    env: {
      PATH: process.env.PATH ?? "",
      TZ: "UTC",
      NO_COLOR: "1",
      TSX_TSCONFIG_PATH: join(ROOT, "tsconfig.json"),
      ...opts.env,
    },
  });
}
