import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { claudeLine, writeLines } from "../importers/fixtures.js";
import { runCli, sandbox } from "../helpers/cli.js";

describe("tokenledger report --import", () => {
  it("imports the agent logs first, so one command gives the first answer; a bad agent name is named", async () => {
    const box = sandbox();
    const config = join(box.home, ".claude");
    writeLines(join(config, "projects", "-home-dev-app", "s.jsonl"), [
      claudeLine({
        messageId: "m1",
        timestamp: "2026-11-01T10:00:00Z",
        input: 10,
        output: 40,
        stop: "end_turn",
      }),
      claudeLine({ messageId: "m2", timestamp: "2026-11-01T11:00:00Z", input: 10, output: 60 }),
    ]);
    const env = { ...box.env, CLAUDE_CONFIG_DIR: config };
    const r = await runCli(["report", "--import", "claude-code", "--since", "2026-11-01", "--json"], { env });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).totals).toMatchObject({ events: 2, outputTokens: 100 });
    expect(r.stderr).toMatch(/imported claude-code: 2 events/);

    const bad = await runCli(["report", "--import", "claude-code,cursor"], { env });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--import: unknown agent cursor/);
  }, 120_000);
});
