import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { LIBRARY_ENTRIES, entrySpecifier } from "./package-entries.js";

const r = (p: string) => fileURLToPath(new URL(p, import.meta.url));
// Tests never read or write the developer's real ledger, price cache or config.
const home = mkdtempSync(join(tmpdir(), "tokenledger-test-home-"));

export default defineConfig({
  resolve: {
    // Each library entry resolves to its source, as tsconfig paths do for tsc, so tests run without a build.
    alias: Object.entries(LIBRARY_ENTRIES).map(([name, source]) => ({
      find: new RegExp(`^${entrySpecifier(name)}$`),
      replacement: r(`./${source}`),
    })),
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
