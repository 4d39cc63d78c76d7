import { execFile } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The agent CLI versions the suite was written against; override to try newer ones. */
export const CLAUDE_CODE_VERSION = process.env.TOKENLEDGER_TEST_CLAUDE_CODE_VERSION ?? "2.1.197";
export const CODEX_VERSION = process.env.TOKENLEDGER_TEST_CODEX_VERSION ?? "0.171.0";

/** Outside the project's node_modules: the CLIs are never the project's dependencies. Reused between runs. */
export const CLI_CACHE =
  process.env.TOKENLEDGER_AGENT_CLI_CACHE || join(homedir(), ".cache", "tokenledger-agent-clis");

/**
 * Both installs run at once and share this deadline, so a first run (~250 MB) or a registry that hangs keeps
 * `npm run test:agents` inside its five minutes (the agent runs themselves take seconds).
 */
export const INSTALL_DEADLINE_MS = Number(process.env.TOKENLEDGER_AGENT_INSTALL_TIMEOUT_MS) || 180_000;

export interface InstalledCli {
  readonly bin: string | null;
  /** Why it is missing (shown as the skip notice). */
  readonly reason: string | null;
  readonly version: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    /** Set by test/agents-real/global-setup.ts. */
    agentClis: { claude: InstalledCli; codex: InstalledCli };
  }
}

export const AGENT_CLIS = {
  claude: {
    pkg: "@anthropic-ai/claude-code",
    version: CLAUDE_CODE_VERSION,
    bin: "claude",
    expect: /Claude Code/,
  },
  codex: { pkg: "@openai/codex", version: CODEX_VERSION, bin: "codex", expect: /codex-cli/ },
} as const;

/**
 * `npm install --prefix <cache> <pkg>@<version>` unless that version's binary already answers `--version`.
 * Returns the binary, or why it could not be installed (no registry, unsupported platform, out of time).
 */
export async function installCli(
  cli: (typeof AGENT_CLIS)[keyof typeof AGENT_CLIS],
  timeoutMs = INSTALL_DEADLINE_MS,
): Promise<InstalledCli> {
  const { pkg, version } = cli;
  const dir = join(CLI_CACHE, `${pkg.replace(/[@/]/g, "_")}-${version}`);
  const bin = join(dir, "node_modules", ".bin", cli.bin);
  if (await answers(bin, cli.expect)) return { bin, reason: null, version };
  mkdirSync(dir, { recursive: true });
  try {
    await run(
      "npm",
      ["install", "--prefix", dir, "--no-audit", "--no-fund", "--loglevel=error", `${pkg}@${version}`],
      { timeout: timeoutMs, killSignal: "SIGKILL" },
    );
  } catch (err) {
    const e = err as { stderr?: string; message?: string; killed?: boolean };
    const why = e.killed
      ? `no answer within ${timeoutMs / 1000} s`
      : (e.stderr || e.message || "failed").trim().split("\n").slice(-3).join(" ");
    return { bin: null, reason: `npm install ${pkg}@${version} failed: ${why}`, version };
  }
  if (!existsSync(bin) || !(await answers(bin, cli.expect)))
    return { bin: null, reason: `${bin} --version did not answer`, version };
  return { bin, reason: null, version };
}

async function answers(bin: string, expect: RegExp): Promise<boolean> {
  if (!existsSync(bin)) return false;
  try {
    const { stdout } = await run(bin, ["--version"], { timeout: 30_000 });
    return expect.test(stdout);
  } catch {
    return false;
  }
}
