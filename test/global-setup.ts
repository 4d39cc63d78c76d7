import type { TestProject } from "vitest/node";
import { configuredPgUrl, probePostgres } from "./helpers/pg.js";

/**
 * Probes PostgreSQL once for the whole run and provides `pgUrl` (null when unreachable).
 * In CI (`CI=true`) an unreachable server fails the run: the Postgres suites must not silently skip there.
 */
export default async function setup(project: TestProject): Promise<void> {
  const url = configuredPgUrl();
  const error = await probePostgres(url);
  const shown = url.replace(/:\/\/([^:/@]+):[^@/]*@/, "://$1:****@");
  if (error !== null) {
    if (process.env.CI === "true") {
      throw new Error(`PostgreSQL at ${shown} is unreachable (${error}); CI must run the Postgres suites`);
    }
    const bar = "!".repeat(78);
    process.stderr.write(
      `\n${bar}\n!! PostgreSQL at ${shown} is unreachable (${error}).\n` +
        `!! Every Postgres test is SKIPPED. Set TOKENLEDGER_TEST_PG_URL to run them.\n${bar}\n\n`,
    );
  }
  project.provide("pgUrl", error === null ? url : null);
}
