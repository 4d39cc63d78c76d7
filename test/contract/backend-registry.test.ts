import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import tsupConfig from "../../tsup.config.js";
import { LIBRARY_ENTRIES, backendEntries, entryName, entrySpecifier } from "../../package-entries.js";
import { STORAGE_BACKENDS } from "../../src/storage-backends.js";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const json = (file: string) =>
  JSON.parse(readFileSync(resolve(ROOT, file), "utf8")) as Record<string, unknown>;

/** tsup's library entries: name → source. */
function tsupEntries(): Record<string, string> {
  const configs = (Array.isArray(tsupConfig) ? tsupConfig : [tsupConfig]) as { entry?: unknown }[];
  return Object.assign({}, ...configs.map((c) => (typeof c.entry === "object" && c.entry ? c.entry : {})));
}

/** The dual ESM/CJS export a library entry needs, in the shape attw checks. */
function expectedExport(name: string) {
  return {
    import: { types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` },
    require: { types: `./dist/${name}.d.cts`, default: `./dist/${name}.cjs` },
  };
}

/** The package.json `exports` key of an entry: `index` → `.`, `sqlite` → `./sqlite`. */
const exportKey = (name: string) => (name === "index" ? "." : `./${name}`);

/** What tsconfig maps a specifier to: its own path, else the `tokenledger/*` wildcard. */
function tsconfigTargets(specifier: string): string[] {
  const paths = (json("tsconfig.json").compilerOptions as { paths: Record<string, string[]> }).paths;
  const own = paths[specifier];
  if (own) return own;
  const rest = specifier.slice("tokenledger/".length);
  return (paths["tokenledger/*"] ?? []).map((p) => p.replace("*", rest));
}

describe("storage backend registry", () => {
  it("lists exactly the adapters/<name>/ folders the build picks up", () => {
    const fromRegistry = Object.fromEntries(STORAGE_BACKENDS.map((b) => [entryName(b.subpath), b.source]));
    expect(fromRegistry).toEqual(backendEntries());
  });

  it("builds every backend and every library entry (tsup reads package-entries.ts)", () => {
    const entries = tsupEntries();
    for (const b of STORAGE_BACKENDS) expect(entries[entryName(b.subpath)], b.subpath).toBe(b.source);
    for (const [name, source] of Object.entries(LIBRARY_ENTRIES)) expect(entries[name], name).toBe(source);
  });

  it("has a package export for every library entry, and no library export without an entry", () => {
    const exportsMap = json("package.json").exports as Record<string, unknown>;
    const missing = Object.keys(LIBRARY_ENTRIES).filter(
      (name) => JSON.stringify(exportsMap[exportKey(name)]) !== JSON.stringify(expectedExport(name)),
    );
    // Named in the message so a new backend's author sees which export to add (package.json cannot be generated).
    expect(missing.map((n) => `package.json exports["${exportKey(n)}"]`)).toEqual([]);
    const known = new Set(Object.keys(LIBRARY_ENTRIES).map(exportKey));
    // `./register` (ESM-only, side effect) and `./package.json` are deliberate non-library exports.
    const stray = Object.keys(exportsMap).filter(
      (k) => !known.has(k) && k !== "./register" && k !== "./package.json",
    );
    expect(stray, "exports with no library entry").toEqual([]);
  });

  it("resolves every library entry to its source for tsc (tsconfig paths)", () => {
    for (const [name, source] of Object.entries(LIBRARY_ENTRIES)) {
      expect(tsconfigTargets(entrySpecifier(name)), `tsconfig path ${entrySpecifier(name)}`).toContain(
        `./${source}`,
      );
    }
  });

  it("claims each URL scheme once", () => {
    const schemes = STORAGE_BACKENDS.flatMap((b) => b.schemes);
    expect(new Set(schemes).size).toBe(schemes.length);
  });
});
