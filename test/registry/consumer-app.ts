import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const OUT = join(ROOT, ".tmp", "consumer-apps");

/** Packages an app installs next to tokenledger: left out of the bundle, resolved from node_modules at run time. */
const INSTALLED = [
  "openai",
  "@anthropic-ai/sdk",
  "@google/genai",
  "@google/generative-ai",
  "@aws-sdk/*",
  "better-sqlite3",
  "pg",
  "pg-native",
];

/**
 * Bundle a consumer app with tokenledger's sources, the way tsup builds the package (ESM or CommonJS, with
 * the `import.meta.url` shim in CommonJS) and without a TypeScript loader hook: tsx's own `require()` hook
 * would compile ES modules into a second copy, hiding what plain Node does. The bundle lives inside the repo so
 * the SDKs resolve from node_modules as they would from an app's dist/ folder.
 */
export async function bundleConsumerApp(fixture: string, format: "esm" | "cjs"): Promise<string> {
  mkdirSync(OUT, { recursive: true });
  const outfile = join(OUT, fixture.replace(/\.[cm]?js$/, format === "esm" ? ".mjs" : ".cjs"));
  await build({
    entryPoints: [fileURLToPath(new URL(`./fixtures/${fixture}`, import.meta.url))],
    outfile,
    bundle: true,
    platform: "node",
    format,
    target: "node20",
    tsconfig: join(ROOT, "tsconfig.json"),
    external: INSTALLED,
    ...(format === "cjs"
      ? {
          define: { "import.meta.url": "__tl_import_meta_url" },
          banner: { js: "const __tl_import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
        }
      : {
          // Bundled CommonJS dependencies (yaml, …) call require(); give the ESM bundle one.
          banner: {
            js: "import { createRequire as __tl_cr } from 'node:module'; const require = __tl_cr(import.meta.url);",
          },
        }),
    logLevel: "error",
  });
  return outfile;
}
