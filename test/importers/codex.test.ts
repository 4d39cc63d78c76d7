import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { codexImporter } from "../../src/importers/codex.js";
import { codexTokenCount, tempDir, writeLines } from "./fixtures.js";
import { importInto } from "./helpers.js";

const meta = (id: string) => ({
  timestamp: "2026-11-02T09:00:00.000Z",
  type: "session_meta",
  payload: {
    id,
    timestamp: "2026-11-02T09:00:00.000Z",
    cwd: "/home/dev/svc",
    originator: "codex_cli_rs",
    cli_version: "0.58.0",
  },
});
const turn = (model: string) => ({
  timestamp: "2026-11-02T09:00:01.000Z",
  type: "turn_context",
  payload: { cwd: "/home/dev/svc", model },
});

describe("import codex", () => {
  it("turns cumulative totals into per-turn usage, never counting a repeated report twice", async () => {
    const root = tempDir();
    writeLines(join(root, "2026", "11", "02", "rollout-2026-11-02T09-00-00-abc.jsonl"), [
      meta("0199-abc"),
      turn("gpt-5-codex"),
      codexTokenCount("2026-11-02T09:00:05Z", null, null), // rate limits only
      // [input, cached ⊂ input, output, reasoning ⊂ output]
      codexTokenCount("2026-11-02T09:00:10Z", [1000, 200, 300, 100], [1000, 200, 300, 100]),
      codexTokenCount("2026-11-02T09:00:11Z", [1000, 200, 300, 100], [1000, 200, 300, 100]), // repeated
      codexTokenCount("2026-11-02T09:01:00Z", [3500, 1200, 500, 150], [2500, 1000, 200, 50]),
    ]);
    const { summary, events } = await importInto(codexImporter, root);
    expect(summary).toMatchObject({ events: 2, duplicates: 1, malformedLines: 0 });
    const [first, second] = events.sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
    expect(first!.usage).toMatchObject({
      uncachedInputTokens: 800,
      cacheReadTokens: 200,
      outputTokens: 300,
      reasoningTokens: 100,
    });
    expect(second!.usage).toMatchObject({
      uncachedInputTokens: 1500,
      cacheReadTokens: 1000,
      outputTokens: 200,
      reasoningTokens: 50,
    });
    expect(first).toMatchObject({
      provider: "openai",
      model: "gpt-5-codex",
      sessionId: "0199-abc",
      projectId: "/home/dev/svc",
      app: "codex",
    });
    // Sum over the session equals the final cumulative totals.
    const input = events.reduce((n, e) => n + e.usage.uncachedInputTokens + e.usage.cacheReadTokens, 0);
    expect(input).toBe(3500);
  });

  it("uses last_token_usage when a report has no cumulative totals", async () => {
    const root = tempDir();
    writeLines(join(root, "rollout-x.jsonl"), [
      meta("s2"),
      turn("gpt-5"),
      codexTokenCount("2026-11-02T09:00:10Z", null, [100, 0, 10, 0]),
      codexTokenCount("2026-11-02T09:00:20Z", null, [200, 50, 20, 5]),
    ]);
    const { events } = await importInto(codexImporter, root);
    expect(events.map((e) => e.usage.outputTokens).sort()).toEqual([10, 20]);
  });

  it("re-importing the same rollout adds nothing (ids from session + cumulative totals)", async () => {
    const root = tempDir();
    writeLines(join(root, "rollout-y.jsonl"), [
      meta("s3"),
      turn("gpt-5"),
      codexTokenCount("2026-11-02T09:00:10Z", [10, 0, 1, 0], null),
      "{broken",
    ]);
    const first = await importInto(codexImporter, root);
    expect(first.summary.malformedLines).toBe(1);
    const again = await importInto(codexImporter, root, { storage: first.storage });
    expect(again.events).toHaveLength(1);
  });
});
