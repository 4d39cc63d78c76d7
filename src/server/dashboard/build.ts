// Build of the dashboard's static bundle, used by tsup.config.ts (`npm run build`) and by the dashboard tests
// (which build the current source into a temp directory). Node-only: never imported by the server at runtime.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Options } from "tsup";

const CLIENT = fileURLToPath(new URL("./client/", import.meta.url));

/** tsup options for the browser bundle: one minified JS and one CSS with content hashes, plus index.html. */
export function dashboardBuildOptions(outDir = "dist/dashboard"): Options {
  const assets = join(outDir, "assets");
  return {
    entry: { dashboard: join(CLIENT, "main.ts") },
    outDir: assets,
    format: ["iife"],
    platform: "browser",
    target: "es2020",
    minify: true,
    sourcemap: false,
    dts: false,
    splitting: false,
    // Only this config writes here: stale hashed files from earlier builds go.
    clean: true,
    outExtension: () => ({ js: ".js" }),
    esbuildOptions(options) {
      options.entryNames = "[name]-[hash]";
      options.legalComments = "none";
    },
    onSuccess: async () => writeIndexHtml(outDir),
  };
}

/** Writes `index.html` naming the hashed files, with subresource-integrity hashes. */
export function writeIndexHtml(outDir: string): void {
  const assets = join(outDir, "assets");
  const files = readdirSync(assets);
  const pick = (ext: string) => {
    const found = files.filter((f) => f.startsWith("dashboard-") && f.endsWith(ext));
    if (found.length !== 1)
      throw new Error(`dashboard build: expected one ${ext} file in ${assets}, found ${found.length}`);
    return found[0] as string;
  };
  const sri = (file: string) =>
    `sha384-${createHash("sha384")
      .update(readFileSync(join(assets, file)))
      .digest("base64")}`;
  const script = pick(".js");
  const style = pick(".css");
  const html = readFileSync(join(CLIENT, "index.html"), "utf8")
    .replace("%SCRIPT%", script)
    .replace("%SCRIPT_SRI%", sri(script))
    .replace("%STYLE%", style)
    .replace("%STYLE_SRI%", sri(style));
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "index.html"), html);
}
