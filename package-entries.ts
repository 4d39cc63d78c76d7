import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL(".", import.meta.url));

/**
 * Storage backend entries, by convention: every `adapters/<name>/index.ts` (folders starting with `_` are shared
 * code) is built as `tokenledger/<name>`. Found on disk rather than imported from the registry
 * (src/storage-backends.ts) because the registry's loaders import `tokenledger/<name>`, which the config bundlers
 * would resolve to dist/ and inline; test/contract/backend-registry.test.ts keeps the two lists equal.
 */
export function backendEntries(root = ROOT): Record<string, string> {
  const dirs = readdirSync(join(root, "adapters"), { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith("_"))
    .filter((d) => existsSync(join(root, "adapters", d.name, "index.ts")));
  return Object.fromEntries(dirs.map((d) => [d.name, `adapters/${d.name}/index.ts`]));
}

/**
 * Every library entry of the package, subpath name → source file: tsup builds each one and vitest aliases
 * `tokenledger/<name>` to its source, so neither lists them by hand, and a new backend touches neither.
 * package.json `exports` cannot be generated at build time: the registry test names any entry here that has no
 * export (and any export with no entry). tsconfig.json resolves backends through its `tokenledger/*` →
 * `adapters/<name>/index.ts` wildcard and lists the other entries by hand (JSON has no imports).
 */
export const LIBRARY_ENTRIES: Readonly<Record<string, string>> = {
  index: "src/index.ts",
  ...backendEntries(),
  express: "src/middleware/express.ts",
  fastify: "src/middleware/fastify.ts",
  failover: "src/failover/index.ts",
  otel: "src/otel/index.ts",
  "storage-kit": "src/storage-kit.ts",
};

/** `tokenledger/sqlite` → `sqlite`; the root entry is `index` (dist/index.js). */
export function entryName(subpath: string): string {
  return subpath === "tokenledger" ? "index" : subpath.slice("tokenledger/".length);
}

/** The import specifier an entry answers to: `index` → `tokenledger`, `sqlite` → `tokenledger/sqlite`. */
export function entrySpecifier(name: string): string {
  return name === "index" ? "tokenledger" : `tokenledger/${name}`;
}
