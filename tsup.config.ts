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

export default defineConfig([
  {
    ...shared,
    // One list for the library entries (package-entries.ts); storage backends come from their registry.
    entry: { ...LIBRARY_ENTRIES },
  },
  // The CLI is an executable, not a library entry: ESM only, with a shebang.
  // Split so that what a command imports lazily (Ink and React for `quota`) loads only when it runs.
  { ...shared, format: ["esm"], dts: false, splitting: true, entry: { cli: "src/cli/index.ts" } },
  // `node --import tokenledger/register` uses top-level await: ESM only.
  { ...shared, format: ["esm"], dts: false, entry: { register: "src/register.ts" } },
  // The web dashboard (`tokenledger serve`): a static browser bundle in dist/dashboard, not a library entry.
  dashboardBuildOptions("dist/dashboard"),
]);
