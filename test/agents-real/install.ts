import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** The agent CLI versions the suite was written against; override to try newer ones. */
export const CLAUDE_CODE_VERSION = process.env.TOKENLEDGER_TEST_CLAUDE_CODE_VERSION ?? "2.1.197";
export const CODEX_VERSION = process.env.TOKENLEDGER_TEST_CODEX_VERSION ?? "0.171.0";

/** Outside the project's node_modules: the CLIs are never the project's dependencies. Reused between runs. */
export const CLI_CACHE =
  process.env.TOKENLEDGER_AGENT_CLI_CACHE || join(homedir(), ".cache", "tokenledger-agent-clis");

export interface InstalledCli {
  readonly bin: string | null;
  /** Why it is missing (shown as the skip notice). */
  readonly reason: string | null;
  readonly version: string;
}

/**
 * `npm install --prefix <cache> <pkg>@<version>` unless that version's binary already answers `--version`.
 * Returns the binary, or why it could not be installed (no registry, unsupported platform).
 */
export function installCli(pkg: string, version: string, binName: string, expect: RegExp): InstalledCli {
  const dir = join(CLI_CACHE, `${pkg.replace(/[@/]/g, "_")}-${version}`);
  const bin = join(dir, "node_modules", ".bin", binName);
  if (answers(bin, expect)) return { bin, reason: null, version };
  mkdirSync(dir, { recursive: true });
  const npm = spawnSync(
    "npm",
    ["install", "--prefix", dir, "--no-audit", "--no-fund", "--loglevel=error", `${pkg}@${version}`],
    { encoding: "utf8", timeout: 300_000 },
  );
  if (npm.status !== 0 || !existsSync(bin)) {
    const why = (npm.stderr || npm.error?.message || `exit ${npm.status}`)
      .trim()
      .split("\n")
      .slice(-3)
      .join(" ");
    return { bin: null, reason: `npm install ${pkg}@${version} failed: ${why}`, version };
  }
  if (!answers(bin, expect)) return { bin: null, reason: `${bin} --version did not answer`, version };
  return { bin, reason: null, version };
}

function answers(bin: string, expect: RegExp): boolean {
  if (!existsSync(bin)) return false;
  const r = spawnSync(bin, ["--version"], { encoding: "utf8", timeout: 30_000 });
  return r.status === 0 && expect.test(r.stdout);
}
