import { defineConfig, type Options } from "tsup";
import { dashboardBuildOptions } from "./src/server/dashboard/build.js";
import { LIBRARY_ENTRIES } from "./package-entries.js";

// `npm run build` empties dist/ first: the three configs build concurrently, so none may clean.
// Every entry other than the root imports the core as `tokenledger` (package self-reference),
// kept external so each output format carries exactly one runtime copy of the tracker state.
const shared: Options = {
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  target: "node20",
  platform: "node",
  splitting: false,
  shims: true,
  external: [/^tokenledger(\/.*)?$/],
  loader: { ".json": "json" },
};

// The CLI starts once per command: resolving and compiling kysely's 263 ESM files, zod's 97 and yaml's 72 cost
// more CPU than most reports' queries. Bundled, they load as a few files. Native drivers, optional peers and the
// server stack stay external (loaded lazily, or too dynamic to bundle).
const CLI_BUNDLED = [
  "kysely",
  "zod",
  "yaml",
  "commander",
  "cosmiconfig",
  "cli-table3",
  "cli-progress",
  "picocolors",
  "decimal.js",
  "uuidv7",
  "smol-toml",
  "eventsource-parser",
];
const CLI_EXTERNAL = [
  "typescript",
  "better-sqlite3",
  "pg",
  "fastify",
  /^@fastify\//,
  "fastify-plugin",
  "ink",
  "react",
  "undici",
  "protobufjs",
  /^@opentelemetry\//,
  /^@napi-rs\//,
  "@inquirer/password",
  "nodemailer",
  "openai",
  /^@anthropic-ai\//,
  /^@google\//,
  /^@aws-sdk\//,
  "express",
];

export default defineConfig([
  {
    ...shared,
    // One list for the library entries (package-entries.ts); storage backends come from their registry.
    entry: { ...LIBRARY_ENTRIES },
  },
  // The CLI is an executable, not a library entry: ESM only, with a shebang.
  // Split so that what a command imports lazily (Ink and React for `quota`) loads only when it runs.
  {
    ...shared,
    format: ["esm"],
    dts: false,
    splitting: true,
    entry: { cli: "src/cli/index.ts" },
    external: CLI_EXTERNAL,
    noExternal: [/^tokenledger(\/.*)?$/, ...CLI_BUNDLED],
    // Bundled CommonJS packages (commander, cosmiconfig, ...) call require() for Node built-ins.
    banner: {
      js: 'import { createRequire as __cliRequire } from "node:module"; const require = __cliRequire(import.meta.url);',
    },
  },
  // `node --import tokenledger/register` uses top-level await: ESM only.
  { ...shared, format: ["esm"], dts: false, entry: { register: "src/register.ts" } },
  // The web dashboard (`tokenledger serve`): a static browser bundle in dist/dashboard, not a library entry.
  dashboardBuildOptions("dist/dashboard"),
]);
