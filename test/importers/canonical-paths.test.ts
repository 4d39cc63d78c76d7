import { symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { claudeCodeImporter } from "../../src/importers/claude-code.js";
import { claudeLine, settle, tempDir, writeLines } from "./fixtures.js";
import { importInto } from "./helpers.js";

describe("import paths are canonical", () => {
  it("the same log tree reached through a symlink imports nothing new (ids from lines without message ids)", async () => {
    const root = tempDir();
    const line = claudeLine({
      messageId: "msg_X",
      timestamp: "2026-11-01T10:00:01Z",
      input: 5,
      output: 2,
    }) as {
      message: { id?: string };
      uuid?: string;
    };
    delete line.message.id; // an older log shape: the id falls back to file and line
    delete line.uuid;
    const file = join(root, "-home-dev-app", "sess-1.jsonl");
    writeLines(file, [line]);
    settle(file);
    const link = join(tempDir(), "projects-link");
    symlinkSync(root, link);

    const first = await importInto(claudeCodeImporter, root, { statePath: null });
    expect(first.events).toHaveLength(1);
    const again = await importInto(claudeCodeImporter, link, { statePath: null, storage: first.storage });
    expect(again.events).toHaveLength(1);
    expect(again.events[0]?.id).toBe(first.events[0]?.id);
  });
});
