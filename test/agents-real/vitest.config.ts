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
    testTimeout: 180_000,
    hookTimeout: 400_000,
    maxWorkers: 1,
  },
});
