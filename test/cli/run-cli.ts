import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const ENTRY = join(ROOT, "src", "cli", "index.ts");

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

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

/**
 * Spawn the CLI as a user would: through tsx on the sources by default (about 1 s of startup), or the
 * built `dist/cli.js` with TOKENLEDGER_TEST_BUILT_CLI=1 after `npm run build`.
 */
export function runCli(
  args: readonly string[],
  opts: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "",
      TZ: "UTC",
      NO_COLOR: "1",
      TSX_TSCONFIG_PATH: join(ROOT, "tsconfig.json"),
      ...opts.env,
    };
    const entry =
      process.env.TOKENLEDGER_TEST_BUILT_CLI === "1"
        ? [join(ROOT, "dist", "cli.js")]
        : ["--import", "tsx", ENTRY];
    const child = spawn(process.execPath, [...entry, ...args], {
      cwd: opts.cwd ?? ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? -1, stdout, stderr });
    });
  });
}
