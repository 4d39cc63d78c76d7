import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import tsupConfig from "../../tsup.config.js";
import { STORAGE_BACKENDS } from "../../src/storage-backends.js";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const json = (file: string) =>
  JSON.parse(readFileSync(resolve(ROOT, file), "utf8")) as Record<string, unknown>;

/** tsup's library entries: name → source. */
function tsupEntries(): Record<string, string> {
  const configs = (Array.isArray(tsupConfig) ? tsupConfig : [tsupConfig]) as { entry?: unknown }[];
  return Object.assign({}, ...configs.map((c) => (typeof c.entry === "object" && c.entry ? c.entry : {})));
}

describe("storage backend registry", () => {
  it("has a tsup entry, a package export and a tsconfig path for every backend", () => {
    const entries = tsupEntries();
    const exportsMap = json("package.json").exports as Record<string, unknown>;
    const paths = (json("tsconfig.json").compilerOptions as { paths: Record<string, string[]> }).paths;
    for (const b of STORAGE_BACKENDS) {
      const name = b.subpath.slice("tokenledger/".length);
      expect(entries[name], `tsup entry ${name}`).toBe(b.source);
      expect(exportsMap[`./${name}`], `package export ./${name}`).toEqual({
        import: { types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` },
        require: { types: `./dist/${name}.d.cts`, default: `./dist/${name}.cjs` },
      });
      expect(paths[b.subpath], `tsconfig path ${b.subpath}`).toEqual([`./${b.source}`]);
    }
  });

  it("claims each URL scheme once", () => {
    const schemes = STORAGE_BACKENDS.flatMap((b) => b.schemes);
    expect(new Set(schemes).size).toBe(schemes.length);
  });
});
