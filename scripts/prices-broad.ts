/**
 * Regenerate src/pricing/broad.json (the broad price layer) from the pinned @pydantic/genai-prices package.
 * Run: npm run prices:broad. Curated catalog entries still win at run time; review `test/pricing/broad-layer.test.ts`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { findProvider } from "@pydantic/genai-prices";
import { PROVIDER_NAMESPACES, convertGenaiPrices, type GenaiProvider } from "../src/pricing/broad-convert.js";

// The package's exports map hides package.json: read it next to the resolved entry point.
const require = createRequire(import.meta.url);
const entry = require.resolve("@pydantic/genai-prices");
const pkgPath = join(dirname(entry), "..", "package.json");
const version = (JSON.parse(readFileSync(pkgPath, "utf8")) as { version: string }).version;

const providers: GenaiProvider[] = [];
for (const id of Object.keys(PROVIDER_NAMESPACES)) {
  const p = findProvider({ providerId: id });
  if (!p) throw new Error(`@pydantic/genai-prices ${version} has no provider "${id}"`);
  providers.push(p as unknown as GenaiProvider);
}
const updated = process.env.BROAD_UPDATED ?? new Date().toISOString().slice(0, 10);
const { document, skipped, droppedFields } = convertGenaiPrices(providers, {
  packageVersion: version,
  updated,
});
const target = new URL("../src/pricing/broad.json", import.meta.url);
writeFileSync(target, `${JSON.stringify(document, null, 2)}\n`);
const count = Object.values(document.providers).reduce((n, t) => n + Object.keys(t).length, 0);
console.log(`wrote ${target.pathname}: ${count} prices, ${Object.keys(document.aliases).length} aliases`);
console.log(`skipped ${skipped.length} models:\n  ${skipped.join("\n  ")}`);
console.log(`price fields not carried: ${droppedFields.join(", ")}`);
