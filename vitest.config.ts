import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const r = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^tokenledger\/sqlite$/, replacement: r("./adapters/sqlite/index.ts") },
      { find: /^tokenledger\/postgres$/, replacement: r("./adapters/postgres/index.ts") },
      { find: /^tokenledger\/memory$/, replacement: r("./adapters/memory/index.ts") },
      { find: /^tokenledger\/express$/, replacement: r("./src/middleware/express.ts") },
      { find: /^tokenledger\/fastify$/, replacement: r("./src/middleware/fastify.ts") },
      { find: /^tokenledger$/, replacement: r("./src/index.ts") },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    env: { TZ: "UTC" },
    globalSetup: ["test/global-setup.ts"],
  },
});
