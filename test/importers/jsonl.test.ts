import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EVENT_COLUMNS, eventRecord } from "../../src/cli/commands/export.js";
import { csvLine } from "../../src/cli/format/csv.js";
import { jsonlImporter } from "../../src/importers/jsonl.js";
import { tempDir, writeLines } from "./fixtures.js";
import { importInto } from "./helpers.js";

describe("import jsonl (generic format)", () => {
  it("imports documented lines, keeps a given cost, reports bad lines with the key and why", async () => {
    const file = join(tempDir(), "usage.jsonl");
    writeLines(file, [
      {
        timestamp: "2026-11-04T12:00:00Z",
        provider: "openai",
        model: "gpt-4o",
        usage: { uncachedInputTokens: 100, cacheReadTokens: 50, outputTokens: 20 },
        costUsd: "0.00123",
        attribution: { teamId: "eng", userId: "ana" },
      },
      { timestamp: 1793880000000, provider: "acme", model: "m1", usage: { outputTokens: 5 }, id: "ext-42" },
      { timestamp: "2026-11-04T12:00:00Z", provider: "openai", usage: { inputTokens: 3 } },
      { timestamp: "2026-11-04T12:00:00Z", usage: {} },
      { timestamp: "not a time", provider: "x", usage: {} },
    ]);
    const { summary, events } = await importInto(jsonlImporter, file);
    expect(events).toHaveLength(2);
    const openai = events.find((e) => e.provider === "openai")!;
    expect(openai).toMatchObject({ costUsd: "0.00123", teamId: "eng", userId: "ana", usageSource: "import" });
    expect(openai.usage.cacheReadTokens).toBe(50);
    expect(events.find((e) => e.provider === "acme")!.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(summary.malformedSamples.map((s) => `${s.line} ${s.reason}`)).toEqual([
      "3 usage: unknown key inputTokens",
      expect.stringMatching(/^4 provider: /),
      expect.stringMatching(/^5 timestamp: "not a time" is not an ISO 8601 date-time/),
    ]);
    const again = await importInto(jsonlImporter, file, {
      storage: (await importInto(jsonlImporter, file)).storage,
    });
    expect(again.events).toHaveLength(2);
  });
});

describe("import jsonl: response id and finish reasons", () => {
  it("import keeps them and the export writes them back (JSON Lines and CSV); bad values name the key", async () => {
    const file = join(tempDir(), "meta.jsonl");
    const line = {
      timestamp: "2026-11-04T12:00:00Z",
      provider: "anthropic",
      model: "claude-sonnet-4-6",
      usage: { outputTokens: 7 },
      responseId: "msg_01XFDUDYJgAACzvnptvVoYEL",
      finishReasons: ["end_turn"],
    };
    writeLines(file, [
      line,
      { ...line, finishReasons: "stop" },
      { ...line, responseId: "x".repeat(301) },
      { ...line, finishReasons: [""] },
    ]);
    const { summary, events } = await importInto(jsonlImporter, file);
    expect(events).toHaveLength(1);
    const row = eventRecord(events[0]!);
    const back = JSON.parse(JSON.stringify(row)) as Record<string, unknown>;
    expect(back).toMatchObject({ responseId: line.responseId, finishReasons: ["end_turn"] });
    expect(csvLine(EVENT_COLUMNS.map((c) => row[c]))).toContain(`${line.responseId},"[""end_turn""]"`);
    expect(summary.malformedSamples.map((s) => `${s.line} ${s.reason}`)).toEqual([
      expect.stringMatching(/^2 finishReasons: .*array/i),
      "3 responseId: must be at most 300 characters",
      expect.stringMatching(/^4 finishReasons\.0: /),
    ]);
  });
});
