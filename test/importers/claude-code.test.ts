import { appendFileSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { claudeCodeImporter } from "../../src/importers/claude-code.js";
import { stableEventId } from "../../src/importers/stable-id.js";
import { claudeLine, tempDir, writeLines } from "./fixtures.js";
import { importInto } from "./helpers.js";

describe("import claude-code", () => {
  it("keeps the LAST streaming snapshot of each message (by message id) and maps Anthropic usage", async () => {
    const root = tempDir();
    const file = join(root, "-home-dev-app", "sess-1.jsonl");
    writeLines(file, [
      {
        type: "user",
        sessionId: "sess-1",
        message: { role: "user", content: "hi" },
        timestamp: "2026-11-01T10:00:00Z",
      },
      // Claude Code writes one line per content block while streaming; output grows, the last is final.
      claudeLine({
        messageId: "msg_A",
        timestamp: "2026-11-01T10:00:01Z",
        input: 10,
        cacheRead: 1000,
        cacheWrite: 200,
        output: 1,
      }),
      claudeLine({
        messageId: "msg_A",
        timestamp: "2026-11-01T10:00:02Z",
        input: 10,
        cacheRead: 1000,
        cacheWrite: 200,
        output: 7,
      }),
      claudeLine({
        messageId: "msg_A",
        timestamp: "2026-11-01T10:00:03Z",
        input: 10,
        cacheRead: 1000,
        cacheWrite: 200,
        output: 350,
      }),
      claudeLine({
        messageId: "msg_B",
        timestamp: "2026-11-01T10:01:00Z",
        input: 5,
        cacheWrite: 100,
        cacheWrite1h: 50,
        output: 20,
      }),
    ]);
    const { summary, events } = await importInto(claudeCodeImporter, root);
    expect(summary).toMatchObject({ files: 1, events: 2, duplicates: 2, malformedLines: 0 });
    const a = events.find((e) => e.requestId === "req_msg_A")!;
    expect(a.usage).toMatchObject({
      uncachedInputTokens: 10,
      cacheReadTokens: 1000,
      cacheWrite5mTokens: 200,
      outputTokens: 350,
    });
    expect(a).toMatchObject({
      provider: "anthropic",
      model: "claude-sonnet-4-5-20250929",
      sessionId: "sess-1",
      projectId: "/home/dev/app",
      app: "claude-code",
      usageSource: "import",
      id: stableEventId("claude-code", "message", "msg_A"),
    });
    expect(a.timestamp.toISOString()).toBe("2026-11-01T10:00:03.000Z");
    const b = events.find((e) => e.requestId === "req_msg_B")!;
    expect(b.usage).toMatchObject({ cacheWrite5mTokens: 100, cacheWrite1hTokens: 50 });
  });

  it("counts malformed and truncated lines with file and line number and keeps going", async () => {
    const root = tempDir();
    const file = join(root, "p", "s.jsonl");
    writeLines(file, [
      claudeLine({ messageId: "m1", timestamp: "2026-11-01T10:00:00Z", input: 1, output: 2 }),
      "{not json",
      '{"type":"assistant","message":{"id":"m9","usage":{"input_tokens":3',
      { ...claudeLine({ messageId: "m2", timestamp: "2026-11-01T10:00:00Z" }), timestamp: "yesterday" },
      claudeLine({ messageId: "m3", timestamp: "2026-11-01T11:00:00Z", input: 4, output: 5 }),
    ]);
    const { summary, events } = await importInto(claudeCodeImporter, root);
    expect(events).toHaveLength(2);
    expect(summary.malformedLines).toBe(3);
    expect(summary.malformedSamples.map((s) => [s.file, s.line])).toEqual([
      [file, 2],
      [file, 3],
      [file, 4],
    ]);
    expect(summary.malformedSamples[2]!.reason).toMatch(/timestamp/);
  });

  it("re-running adds nothing, skips unchanged files, and picks up appended lines", async () => {
    const root = tempDir();
    const statePath = join(tempDir(), "state.json");
    const file = join(root, "p", "s.jsonl");
    writeLines(file, [
      claudeLine({ messageId: "m1", timestamp: "2026-11-01T10:00:00Z", input: 1, output: 2 }),
    ]);
    const first = await importInto(claudeCodeImporter, root, { statePath });
    expect(first.events).toHaveLength(1);

    const second = await importInto(claudeCodeImporter, root, { statePath, storage: first.storage });
    expect(second.summary).toMatchObject({ files: 1, filesUnchanged: 1, events: 0, bytesRead: 0 });

    appendFileSync(
      file,
      JSON.stringify(
        claudeLine({ messageId: "m2", timestamp: "2026-11-01T10:05:00Z", input: 3, output: 4 }),
      ) + "\n",
    );
    const later = new Date(Date.now() - 1_800_000);
    utimesSync(file, later, later);
    const third = await importInto(claudeCodeImporter, root, { statePath, storage: first.storage });
    expect(third.summary.filesUnchanged).toBe(0);
    expect(third.events).toHaveLength(2); // m1 again has the same id: stored once
  });

  it("stores the last message of a file still being written as provisional, then revises it to the final snapshot", async () => {
    const root = tempDir();
    const statePath = join(tempDir(), "state.json");
    const file = join(root, "p", "s.jsonl");
    writeLines(file, [
      claudeLine({
        messageId: "m1",
        timestamp: "2026-11-01T10:00:00Z",
        input: 1,
        output: 20,
        stop: "end_turn",
      }),
      claudeLine({ messageId: "m2", timestamp: "2026-11-01T10:01:00Z", input: 1, output: 3 }), // mid-stream
    ]);
    const live = await importInto(claudeCodeImporter, root, { statePath });
    expect(live.summary.provisional).toBe(1);
    // A report taken now is not one request short: m2 is there with what it has streamed so far.
    expect(live.events.map((e) => e.usage.outputTokens).sort((a, b) => a - b)).toEqual([3, 20]);

    appendFileSync(
      file,
      JSON.stringify(
        claudeLine({
          messageId: "m2",
          timestamp: "2026-11-01T10:01:00Z",
          input: 1,
          output: 900,
          stop: "tool_use",
        }),
      ) + "\n",
    );
    const later = await importInto(claudeCodeImporter, root, { statePath, storage: live.storage });
    expect(later.summary).toMatchObject({ revised: 1, provisional: 0, filesResumed: 1 });
    expect(later.events.map((e) => e.usage.outputTokens).sort((a, b) => a - b)).toEqual([20, 900]);
    expect((await later.storage.rollup({})).totals.outputTokens).toBe(920);
  });

  it("the same message copied into a resumed session's file is stored once", async () => {
    const root = tempDir();
    const line = claudeLine({
      messageId: "m1",
      requestId: "r1",
      timestamp: "2026-11-01T10:00:00Z",
      input: 1,
      output: 2,
    });
    writeLines(join(root, "p", "a.jsonl"), [line]);
    writeLines(join(root, "p", "b.jsonl"), [
      line,
      claudeLine({ messageId: "m2", timestamp: "2026-11-01T10:00:00Z", output: 1 }),
    ]);
    const { events } = await importInto(claudeCodeImporter, root);
    expect(events).toHaveLength(2);
  });

  it("skips <synthetic> placeholder replies", async () => {
    const root = tempDir();
    writeLines(join(root, "p", "s.jsonl"), [
      claudeLine({ messageId: "m1", timestamp: "2026-11-01T10:00:00Z", model: "<synthetic>" }),
    ]);
    const { events } = await importInto(claudeCodeImporter, root);
    expect(events).toHaveLength(0);
  });

  it("a missing directory is a clear error naming it", async () => {
    await expect(importInto(claudeCodeImporter, "/nonexistent/claude/projects")).rejects.toThrow(
      /import claude-code: \/nonexistent\/claude\/projects does not exist/,
    );
  });
});
