import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { geminiCliImporter } from "../../src/importers/gemini-cli.js";
import { tempDir } from "./fixtures.js";
import { importInto } from "./helpers.js";

describe("import gemini-cli", () => {
  it("reads tokens of gemini messages from chat session files (cached ⊂ input, thoughts added to output)", async () => {
    const root = tempDir();
    const chats = join(root, "4f1c0ffee", "chats");
    mkdirSync(chats, { recursive: true });
    writeFileSync(
      join(chats, "session-2026-11-03T10-00-abcd.json"),
      JSON.stringify({
        sessionId: "g-sess",
        projectHash: "4f1c0ffee",
        startTime: "2026-11-03T10:00:00.000Z",
        lastUpdated: "2026-11-03T10:05:00.000Z",
        messages: [
          { id: "u1", timestamp: "2026-11-03T10:00:00.000Z", type: "user", content: "hi" },
          {
            id: "g1",
            timestamp: "2026-11-03T10:00:05.000Z",
            type: "gemini",
            content: "hello",
            model: "gemini-2.5-pro",
            tokens: { input: 12000, output: 300, cached: 8000, thoughts: 120, tool: 0, total: 12420 },
          },
          {
            id: "g2",
            timestamp: "bad",
            type: "gemini",
            content: "",
            tokens: { input: 1, output: 1, cached: 0, total: 2 },
          },
        ],
      }),
    );
    const { summary, events } = await importInto(geminiCliImporter, root);
    expect(summary.malformedLines).toBe(1);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      provider: "gemini",
      model: "gemini-2.5-pro",
      sessionId: "g-sess",
      projectId: "4f1c0ffee",
      app: "gemini-cli",
    });
    expect(events[0]!.usage).toMatchObject({
      uncachedInputTokens: 4000,
      cacheReadTokens: 8000,
      outputTokens: 420,
      reasoningTokens: 120,
    });
  });
});
