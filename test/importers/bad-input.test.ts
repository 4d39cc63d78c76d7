import { rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { claudeCodeImporter } from "../../src/importers/claude-code.js";
import type { AgentImporter } from "../../src/importers/types.js";
import { claudeLine, tempDir, writeLines } from "./fixtures.js";
import { importInto } from "./helpers.js";

describe("import bad input", () => {
  it("a file that disappears during the scan is named in the summary; the rest is imported and a rerun finishes", async () => {
    const root = tempDir();
    const statePath = join(tempDir(), "state.json");
    writeLines(join(root, "p", "a.jsonl"), [
      claudeLine({ messageId: "m_a", timestamp: "2026-11-01T10:00:00Z", output: 1, stop: "end_turn" }),
    ]);
    const doomed = writeLines(join(root, "p", "b.jsonl"), [
      claudeLine({ messageId: "m_b", timestamp: "2026-11-01T10:00:00Z", output: 2, stop: "end_turn" }),
    ]);
    // Listed, then deleted before it is read (an agent cleaning up old sessions mid-import).
    const vanishing: AgentImporter = {
      ...claudeCodeImporter,
      async *listFiles(r, onError) {
        for await (const f of claudeCodeImporter.listFiles(r, onError)) {
          yield f;
          if (f.endsWith("a.jsonl")) rmSync(doomed);
        }
      },
    };
    const first = await importInto(vanishing, root, { statePath });
    expect(first.summary.skipped.map((s) => s.path)).toEqual([doomed]);
    expect(first.summary.skipped[0]!.reason).toMatch(/ENOENT/);
    expect(first.events.map((e) => e.usage.outputTokens)).toEqual([1]);

    writeLines(doomed, [
      claudeLine({ messageId: "m_b", timestamp: "2026-11-01T10:00:00Z", output: 2, stop: "end_turn" }),
    ]);
    const again = await importInto(claudeCodeImporter, root, { statePath, storage: first.storage });
    expect(again.summary).toMatchObject({ filesUnchanged: 1, skipped: [] });
    expect(again.events.map((e) => e.usage.outputTokens).sort()).toEqual([1, 2]);
  });
});
