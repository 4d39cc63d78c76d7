import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const bundles = new Map<string, Promise<string>>();

/**
 * Bundle a child fixture from test/helpers/child once per test process (drivers stay external): a child then
 * starts in ~0.1 s instead of ~2 s of on-the-fly TypeScript, which keeps the many-process tests fast.
 */
function bundle(fixture: string): Promise<string> {
  let p = bundles.get(fixture);
  if (!p) {
    const outfile = join(mkdtempSync(join(tmpdir(), "tl-child-")), fixture.replace(/\.ts$/, ".mjs"));
    p = build({
      entryPoints: [join(ROOT, "test/helpers/child", fixture)],
      outfile,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      tsconfig: join(ROOT, "tsconfig.json"),
      external: ["better-sqlite3", "pg", "pg-native"],
      banner: {
        js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
      },
      nodePaths: [join(ROOT, "node_modules")],
      logLevel: "error",
    }).then(() => outfile);
    bundles.set(fixture, p);
  }
  return p;
}

/** Spawn a child fixture (bundled), from the repo root so node_modules resolve. */
export async function spawnChild(fixture: string, args: readonly string[]): Promise<ChildProcess> {
  const file = await bundle(fixture);
  return spawn(process.execPath, [file, ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, TZ: "UTC", NODE_PATH: join(ROOT, "node_modules") },
  });
}

/** Resolves with everything the child wrote once it exits and its pipes are drained ("close", not "exit":
 * at "exit" the last write may still be in the pipe, which left a loaded run with an empty stdout). */
export function childOutput(
  child: ChildProcess,
): Promise<{ stdout: string; stderr: string; code: number | null; signal: NodeJS.Signals | null }> {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) =>
    child.on("close", (code, signal) => resolve({ stdout, stderr, code, signal })),
  );
}

/** Resolves when the child prints `line` on stdout. */
export function waitForLine(child: ChildProcess, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let buf = "";
    child.stdout?.on("data", (d: Buffer) => {
      buf += d.toString();
      if (buf.includes(line)) resolve();
    });
    child.on("exit", () => reject(new Error(`child exited before printing "${line}"`)));
  });
}
