import type { TestProject } from "vitest/node";
import { AGENT_CLIS, installCli } from "./install.js";

/**
 * Installs (or finds in the cache) both agent CLIs at once and tells the test files which ones they can run.
 * A CLI that cannot be installed is skipped with a notice that shows in the run's output.
 */
export default async function setup(project: TestProject): Promise<void> {
  const [claude, codex] = await Promise.all([installCli(AGENT_CLIS.claude), installCli(AGENT_CLIS.codex)]);
  for (const [name, cli] of [
    ["Claude Code", claude],
    ["Codex", codex],
  ] as const) {
    if (!cli.bin) {
      const bar = "!".repeat(78);
      process.stderr.write(`\n${bar}\n!! [agents-real] SKIPPING ${name}: ${cli.reason}\n${bar}\n\n`);
    }
  }
  project.provide("agentClis", { claude, codex });
}
