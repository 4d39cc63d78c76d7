// The dashboard is server-only: the library entry never reaches it, and it loads no web framework itself.
import { build } from "esbuild"; // tsup's bundler (a dependency of tsup, already installed)
import { describe, expect, it } from "vitest";

async function bundle(entry: string) {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    platform: "node",
    format: "esm",
    packages: "external",
    logLevel: "silent",
  });
  const output = Object.values(result.metafile.outputs)[0]!;
  return { inputs: Object.keys(result.metafile.inputs), imports: output.imports.map((i) => i.path) };
}

describe("dashboard module boundaries", () => {
  it("src/index.ts (the library) does not reach src/server/", async () => {
    const { inputs } = await bundle("src/index.ts");
    expect(inputs.length).toBeGreaterThan(20); // the bundle really followed the imports
    expect(inputs.filter((p) => p.includes("src/server/"))).toEqual([]);
  });

  it("registerDashboard imports Fastify as a type only: no framework at runtime", async () => {
    const { inputs, imports } = await bundle("src/server/dashboard/index.ts");
    expect(inputs.some((p) => p.endsWith("src/server/dashboard/assets.ts"))).toBe(true);
    expect(imports.filter((p) => /fastify|preact|react|uplot/.test(p))).toEqual([]);
    expect(inputs.filter((p) => p.includes("/client/"))).toEqual([]);
    // Control: a module that does create a Fastify app shows up with the import.
    const control = await bundle("test/helpers/dashboard-test-server.ts");
    expect(control.imports).toContain("fastify");
  });
});
