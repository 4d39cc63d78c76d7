import { defineConfig } from "vitest/config";
import base from "../../vitest.config.js";

/**
 * The real agent CLIs (installed from npm into a cache outside the project), run against local fake upstreams.
 * Separate from `npm test`: each run takes seconds and the first one downloads ~250 MB. `npm run test:agents`.
 * Spread rather than mergeConfig, which would concatenate the include and exclude lists.
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ["test/agents-real/**/*.test.ts"],
    exclude: ["**/node_modules/**"],
    // Bounded: installs share one 180 s deadline (global-setup), each agent run is killed after 45 s.
    globalSetup: ["test/agents-real/global-setup.ts"],
    testTimeout: 150_000,
    hookTimeout: 30_000,
    maxWorkers: 1,
  },
});
