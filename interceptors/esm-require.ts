import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

/**
 * Load the ESM copy of an installed package synchronously, so `track()` can patch it before the app's next
 * line runs. On Node 20.19+ and 22.12+ (`process.features.require_module`), `require()` of an ES module
 * returns the very module instance that `import` sees (one module map), so patching its classes patches the
 * app's. Returns undefined where that is unavailable (older Node, the CommonJS build of tokenledger, a
 * package whose ESM graph uses top-level await): the caller then falls back to an asynchronous `import()`.
 */
export function requireEsmSync(pkg: string): unknown {
  if (!requireEsmSupported()) return undefined;
  const url = resolveImport(pkg);
  if (url === undefined || !url.startsWith("file:")) return undefined;
  try {
    return createRequire(import.meta.url)(fileURLToPath(url));
  } catch {
    return undefined; // ERR_REQUIRE_ASYNC_MODULE, or the package cannot be loaded this way
  }
}

/** True on runtimes where `require(esm)` is enabled (Node 20.19+, 22.12+, 23+). */
export function requireEsmSupported(): boolean {
  return (process.features as { require_module?: boolean }).require_module === true;
}

/** The URL `import(pkg)` from this module would load (the package's `import` condition), if resolvable. */
function resolveImport(pkg: string): string | undefined {
  const meta = import.meta as ImportMeta & { resolve?: (specifier: string) => string };
  if (typeof meta.resolve !== "function") return undefined; // CommonJS build: import.meta is a shim
  try {
    return meta.resolve(pkg);
  } catch {
    return undefined;
  }
}
