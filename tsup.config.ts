import { defineConfig } from "tsup";

// Every entry other than the root imports the core as `tokenledger` (package self-reference),
// kept external so each output format carries exactly one runtime copy of the tracker state.
export default defineConfig({
  entry: {
    index: "src/index.ts",
    register: "src/register.ts",
    sqlite: "adapters/sqlite/index.ts",
    postgres: "adapters/postgres/index.ts",
    memory: "adapters/memory/index.ts",
    express: "src/middleware/express.ts",
    fastify: "src/middleware/fastify.ts",
    cli: "src/cli/index.ts",
  },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node20",
  platform: "node",
  splitting: false,
  shims: true,
  external: [/^tokenledger(\/.*)?$/],
  loader: { ".json": "json" },
});
