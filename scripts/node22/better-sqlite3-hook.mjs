// Loaded with `--import` (through NODE_OPTIONS, so child processes get it too) by scripts/test-node22.ts.
// better-sqlite3 is a native addon: the copy in node_modules is built for the project's Node (20). Under Node 22
// every import or require of it, bare or already resolved to node_modules/better-sqlite3/..., is sent to a copy
// built for Node 22 in TOKENLEDGER_NODE22_SQLITE (a node_modules directory). Synchronous hooks cover both
// `import` and `require` (Node 22.15+).
import { registerHooks } from "node:module";
import process from "node:process";
import { join, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const modules = process.env.TOKENLEDGER_NODE22_SQLITE;
const marker = `${sep}node_modules${sep}better-sqlite3${sep}`;

if (modules) {
  const target = join(modules, "better-sqlite3") + sep;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const resolved = nextResolve(specifier, context);
      if (!resolved.url.startsWith("file:")) return resolved;
      const path = fileURLToPath(resolved.url);
      const at = path.lastIndexOf(marker);
      if (at === -1 || path.startsWith(target)) return resolved;
      return { ...resolved, url: pathToFileURL(target + path.slice(at + marker.length)).href };
    },
  });
}
