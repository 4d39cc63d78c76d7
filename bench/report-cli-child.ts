// Shared helpers for the CLI benchmarks: run the CLI as a child process and time it.
import { spawn } from "node:child_process";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));

export interface ChildRun {
  readonly ms: number;
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Peak RSS of the child in KB, from `--debug`. */
  readonly maxRssKb: number | null;
}

/** The built CLI when present (`dist/cli.js`), else the sources through tsx (adds ~0.7 s of startup). */
export function cliCommand(): string[] {
  const built = join(ROOT, "dist", "cli.js");
  return process.env.BENCH_USE_DIST === "1"
    ? [built]
    : ["--import", "tsx", join(ROOT, "src", "cli", "index.ts")];
}

export function runChild(args: readonly string[], env: Record<string, string>): Promise<ChildRun> {
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...cliCommand(), "--debug", ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: "1", TSX_TSCONFIG_PATH: join(ROOT, "tsconfig.json"), ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", fail);
    child.on("close", (code) => {
      const rss = /maxRSS=(\d+) KB/.exec(stderr);
      done({
        ms: performance.now() - started,
        code: code ?? -1,
        stdout,
        stderr,
        maxRssKb: rss ? Number(rss[1]) : null,
      });
    });
  });
}
