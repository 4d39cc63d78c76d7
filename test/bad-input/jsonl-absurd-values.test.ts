import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { jsonlImporter } from "../../src/importers/jsonl.js";
import { tempDir, writeLines } from "../importers/fixtures.js";
import { importInto } from "../importers/helpers.js";

const ok = (i: number) => ({
  timestamp: `2026-11-04T12:00:0${i}Z`,
  provider: "openai",
  model: "gpt-4o",
  usage: { uncachedInputTokens: 100, outputTokens: 20 },
});

describe("import jsonl: an absurd value skips that line with a named reason, never the whole import", () => {
  it("timestamp 1e20, epoch seconds, 2026-02-30, a huge cost: counted and named; the good lines land; a rerun completes", async () => {
    const file = join(tempDir(), "usage.jsonl");
    writeLines(file, [
      ok(1),
      { ...ok(2), timestamp: 1e20 },
      { ...ok(3), timestamp: 1_793_880_000 },
      { ...ok(4), timestamp: "2026-02-30T00:00:00Z" },
      { ...ok(5), costUsd: "1".padEnd(310, "0") },
      ok(6),
    ]);
    const first = await importInto(jsonlImporter, file);
    expect(first.events).toHaveLength(2);
    expect(first.summary.malformedSamples.map((s) => `${s.line} ${s.reason}`)).toEqual([
      "2 timestamp: 100000000000000000000 is outside 2000–2100",
      "3 timestamp: 1793880000 is outside 2000–2100 (epoch seconds? give milliseconds)",
      '4 timestamp: "2026-02-30T00:00:00Z" is not a real date and time',
      "5 costUsd: must be under $1,000,000 for one call",
    ]);
    const again = await importInto(jsonlImporter, file, { storage: first.storage });
    expect(again.events).toHaveLength(2);
  });
});
