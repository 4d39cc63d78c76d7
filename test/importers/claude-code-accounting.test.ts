import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { claudeCodeImporter, defaultClaudeCodeDirs } from "../../src/importers/claude-code.js";
import { claudeLine, tempDir, writeLines } from "./fixtures.js";
import { importInto } from "./helpers.js";

describe("claude-code exact accounting", () => {
  it("/btw side questions replay earlier messages (same message id, new request id, sidechain): billed once", async () => {
    const root = tempDir();
    const original = (output: number, stop?: string) =>
      claudeLine({
        messageId: "msg_main",
        requestId: "req_main",
        timestamp: "2026-11-01T10:00:00Z",
        input: 12,
        cacheRead: 30_000,
        output,
        ...(stop ? { stop } : {}),
      });
    writeLines(join(root, "-home-dev-app", "sess-1.jsonl"), [
      original(1),
      original(250, "end_turn"),
      // `/btw what does this flag do?`: Claude Code replays the conversation so far as a sidechain...
      {
        ...claudeLine({
          messageId: "msg_main",
          requestId: "req_btw",
          timestamp: "2026-11-01T10:02:00Z",
          input: 12,
          cacheRead: 30_000,
          output: 250,
          stop: "end_turn",
          isSidechain: true,
        }),
      },
      // ...and the side answer itself is a new billed message.
      claudeLine({
        messageId: "msg_btw_answer",
        requestId: "req_btw",
        timestamp: "2026-11-01T10:02:05Z",
        input: 40,
        cacheRead: 30_000,
        output: 80,
        stop: "end_turn",
        isSidechain: true,
      }),
    ]);
    const { events, storage } = await importInto(claudeCodeImporter, root);
    expect(events).toHaveLength(2);
    const totals = (await storage.rollup({})).totals;
    expect(totals.outputTokens).toBe(330); // 250 + 80, the replay not counted again
    expect(totals.cacheReadTokens).toBe(60_000);
  });

  it("a subagent's file is its own session, linked to its parent; its messages are not counted twice", async () => {
    const root = tempDir();
    const project = join(root, "-home-dev-app");
    writeLines(join(project, "sess-p.jsonl"), [
      claudeLine({ messageId: "msg_p1", sessionId: "sess-p", timestamp: "2026-11-01T10:00:00Z", output: 30 }),
    ]);
    const sub = (messageId: string, output: number) =>
      claudeLine({
        messageId,
        sessionId: "sess-p",
        agentId: "a1b2c3",
        isSidechain: true,
        timestamp: "2026-11-01T10:00:30Z",
        output,
        stop: "end_turn",
      });
    writeLines(join(project, "sess-p", "subagents", "agent-a1b2c3.jsonl"), [
      sub("msg_s1", 40),
      sub("msg_s2", 50),
    ]);
    // Older Claude Code versions also copied sidechain lines into the parent's file: the same message ids.
    writeLines(join(project, "sess-p-copy.jsonl"), [sub("msg_s1", 40)]);
    const { events } = await importInto(claudeCodeImporter, root);
    expect(events).toHaveLength(3);
    const bySession = new Map<string, number>();
    for (const e of events)
      bySession.set(e.sessionId!, (bySession.get(e.sessionId!) ?? 0) + e.usage.outputTokens);
    expect(Object.fromEntries(bySession)).toEqual({ "sess-p": 30, "sess-p/agent-a1b2c3": 90 });
    const s1 = events.find((e) => e.usage.outputTokens === 40)!;
    expect(s1.metadata).toEqual({ parentSessionId: "sess-p", agentId: "a1b2c3" });
    expect(s1.projectId).toBe("/home/dev/app");
  });

  it("several CLAUDE_CONFIG_DIR roots (comma-separated) are all imported", async () => {
    const a = tempDir();
    const b = tempDir();
    writeLines(join(a, "projects", "p", "s1.jsonl"), [
      claudeLine({ messageId: "m_a", timestamp: "2026-11-01T10:00:00Z", output: 1 }),
    ]);
    writeLines(join(b, "projects", "p", "s2.jsonl"), [
      claudeLine({ messageId: "m_b", timestamp: "2026-11-01T10:00:00Z", output: 2 }),
    ]);
    const dirs = defaultClaudeCodeDirs({ CLAUDE_CONFIG_DIR: ` ${a} , ${b}` });
    expect(dirs).toEqual([join(a, "projects"), join(b, "projects")]);
    const { events, summary } = await importInto(claudeCodeImporter, dirs);
    expect(summary.files).toBe(2);
    expect(events.map((e) => e.usage.outputTokens).sort()).toEqual([1, 2]);
  });
});
