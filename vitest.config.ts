import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const r = (p: string) => fileURLToPath(new URL(p, import.meta.url));
// Tests never read or write the developer's real ledger, price cache or config.
const home = mkdtempSync(join(tmpdir(), "tokenledger-test-home-"));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^tokenledger\/sqlite$/, replacement: r("./adapters/sqlite/index.ts") },
      { find: /^tokenledger\/postgres$/, replacement: r("./adapters/postgres/index.ts") },
      { find: /^tokenledger\/memory$/, replacement: r("./adapters/memory/index.ts") },
      { find: /^tokenledger\/http$/, replacement: r("./adapters/http/index.ts") },
      { find: /^tokenledger\/express$/, replacement: r("./src/middleware/express.ts") },
      { find: /^tokenledger\/fastify$/, replacement: r("./src/middleware/fastify.ts") },
      { find: /^tokenledger\/failover$/, replacement: r("./src/failover/index.ts") },
      { find: /^tokenledger\/otel$/, replacement: r("./src/otel/index.ts") },
      { find: /^tokenledger\/storage-kit$/, replacement: r("./src/storage-kit.ts") },
      { find: /^tokenledger$/, replacement: r("./src/index.ts") },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    // The real agent CLIs run in their own job: `npm run test:agents` (test/agents-real/vitest.config.ts).
    exclude: ["**/node_modules/**", "test/agents-real/**"],
    environment: "node",
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // Vitest's default is one worker on a 2-core machine; most suites wait on child processes, servers and timers,
    // so two workers halve the wall time there without starving either.
    maxWorkers: 2,
    env: {
      TZ: "UTC",
      XDG_DATA_HOME: join(home, "data"),
      XDG_CACHE_HOME: join(home, "cache"),
      XDG_CONFIG_HOME: join(home, "config"),
      TOKENLEDGER_DATABASE_URL: "",
      DATABASE_URL: "",
    },
    globalSetup: ["test/global-setup.ts"],
  },
});
