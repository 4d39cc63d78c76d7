import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { codexImporter, defaultCodexDirs } from "../../src/importers/codex.js";
import { codexTokenCount, tempDir, writeLines } from "./fixtures.js";
import { importInto } from "./helpers.js";

const meta = (id: string, extra: object = {}) => ({
  timestamp: "2026-11-02T09:00:00.000Z",
  type: "session_meta",
  payload: {
    id,
    timestamp: "2026-11-02T09:00:00.000Z",
    cwd: "/home/dev/svc",
    cli_version: "0.64.0",
    ...extra,
  },
});
const turn = (model: string) => ({
  timestamp: "2026-11-02T09:00:01.000Z",
  type: "turn_context",
  payload: { cwd: "/home/dev/svc", model },
});
/** One `token_usage_record` line: the usage of one response, as recent Codex versions write it. */
const usageRecord = (
  at: string,
  responseId: string,
  u: { input: number; cached?: number; cacheWrite?: number; output: number; reasoning?: number },
  extra: object = {},
) => ({
  timestamp: at,
  type: "event_msg",
  payload: {
    type: "token_usage_record",
    response_id: responseId,
    usage: {
      input_tokens: u.input,
      cached_input_tokens: u.cached ?? 0,
      ...(u.cacheWrite !== undefined ? { cache_write_input_tokens: u.cacheWrite } : {}),
      output_tokens: u.output,
      reasoning_output_tokens: u.reasoning ?? 0,
      total_tokens: u.input + u.output,
    },
    ...extra,
  },
});

describe("codex exact accounting", () => {
  it("per-response token_usage_record lines are the truth: compaction call and cache writes included", async () => {
    const root = tempDir();
    writeLines(join(root, "2026", "11", "02", "rollout-2026-11-02T09-00-00-r.jsonl"), [
      meta("codex-r"),
      turn("gpt-5.1-codex"),
      usageRecord("2026-11-02T09:00:10Z", "resp_1", {
        input: 1000,
        cached: 200,
        output: 300,
        reasoning: 100,
      }),
      codexTokenCount("2026-11-02T09:00:10Z", [1000, 200, 300, 100], [1000, 200, 300, 100]),
      // The remote compaction call: a response of its own that token_count totals never show separately.
      usageRecord(
        "2026-11-02T09:05:00Z",
        "resp_compact",
        { input: 90_000, cached: 60_000, cacheWrite: 20_000, output: 4000 },
        { kind: "compaction" },
      ),
      usageRecord("2026-11-02T09:06:00Z", "resp_2", { input: 5000, cached: 1000, output: 50 }),
      usageRecord("2026-11-02T09:06:00Z", "resp_2", { input: 5000, cached: 1000, output: 50 }), // repeated line
      codexTokenCount("2026-11-02T09:06:00Z", [6000, 1200, 350, 100], [5000, 1000, 50, 0]),
    ]);
    const { events, summary } = await importInto(codexImporter, root);
    expect(events).toHaveLength(3);
    expect(summary.duplicates).toBe(3); // the repeated record and the two token_count fallbacks
    const compaction = events.find((e) => e.usage.outputTokens === 4000)!;
    expect(compaction.usage).toMatchObject({
      uncachedInputTokens: 10_000,
      cacheReadTokens: 60_000,
      cacheWrite5mTokens: 20_000,
    });
    expect(compaction.model).toBe("gpt-5.1-codex");
    const input = events.reduce(
      (n, e) => n + e.usage.uncachedInputTokens + e.usage.cacheReadTokens + e.usage.cacheWrite5mTokens,
      0,
    );
    expect(input).toBe(96_000);
  });

  it("token_count fallback takes each response's last_token_usage, so a resume that resets totals splits right", async () => {
    const root = tempDir();
    writeLines(join(root, "2026", "11", "02", "rollout-2026-11-02T09-00-00-s.jsonl"), [
      meta("codex-s"),
      turn("gpt-5-codex"),
      codexTokenCount("2026-11-02T09:00:10Z", [1000, 0, 100, 0], [1000, 0, 100, 0]),
      codexTokenCount("2026-11-02T09:01:00Z", [3000, 500, 300, 0], [2000, 500, 200, 0]),
      // Resumed: Codex restarts the cumulative totals, last_token_usage is still the response's own.
      // (The old cumulative difference would give 1000 input / 100 output here: wrong, yet not negative.)
      codexTokenCount("2026-11-02T10:00:00Z", [4000, 3000, 400, 0], [4000, 3000, 400, 0]),
      codexTokenCount("2026-11-02T10:01:00Z", [9000, 7000, 520, 0], [5000, 4000, 120, 0]),
    ]);
    const { events } = await importInto(codexImporter, root);
    expect(events.map((e) => e.usage.outputTokens).sort((a, b) => a - b)).toEqual([100, 120, 200, 400]);
    const cached = events.reduce((n, e) => n + e.usage.cacheReadTokens, 0);
    expect(cached).toBe(7500);
  });

  it("a legacy session whose model only appears in a later turn_context gets that model, not unknown", async () => {
    const root = tempDir();
    writeLines(join(root, "2025", "09", "01", "rollout-2025-09-01T09-00-00-l.jsonl"), [
      meta("codex-legacy"),
      codexTokenCount("2025-09-01T09:00:10Z", [1000, 0, 100, 0], [1000, 0, 100, 0]),
      turn("gpt-5"),
    ]);
    const { events } = await importInto(codexImporter, root);
    expect(events.map((e) => e.model)).toEqual(["gpt-5"]);
  });

  it("imports archived sessions too", () => {
    expect(defaultCodexDirs({ CODEX_HOME: "/h/.codex" })).toEqual([
      "/h/.codex/sessions",
      "/h/.codex/archived_sessions",
    ]);
  });
});
