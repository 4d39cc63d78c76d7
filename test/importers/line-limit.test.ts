import { closeSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { jsonlImporter } from "../../src/importers/jsonl.js";
import { MAX_LINE_BYTES } from "../../src/importers/line-reader.js";
import { tempDir } from "./fixtures.js";
import { importInto } from "./helpers.js";
import { runCli, sandbox } from "../helpers/cli.js";

const MiB = 1024 * 1024;
const good = (id: string) =>
  JSON.stringify({
    id,
    timestamp: "2026-11-04T12:00:00Z",
    provider: "openai",
    model: "gpt-4o",
    usage: { uncachedInputTokens: 100, outputTokens: 20 },
    costUsd: "0.001",
  });

/** A JSONL file whose second line is one valid-looking JSON object of `hugeBytes`, written 1 MiB at a time. */
function fileWithHugeLine(hugeBytes: number): string {
  const file = join(tempDir("tl-line-limit-"), "usage.jsonl");
  const fd = openSync(file, "w");
  writeSync(fd, `${good("before")}\n`);
  const head = '{"timestamp":"2026-11-04T12:00:00Z","provider":"openai","usage":{},"metadata":{"pad":"';
  writeSync(fd, head);
  const pad = Buffer.alloc(MiB, "a");
  for (let left = hugeBytes - head.length - 3; left > 0; left -= MiB)
    writeSync(fd, pad, 0, Math.min(MiB, left));
  writeSync(fd, '"}}\n');
  writeSync(fd, `${good("after")}\r\n`); // CRLF line endings are still read
  closeSync(fd);
  return file;
}

describe("JSONL import: a line over the size limit", () => {
  it("is skipped with a counted reason naming its line; the lines around it import; memory stays bounded", async () => {
    const huge = 96 * MiB;
    const file = fileWithHugeLine(huge);
    const base = process.memoryUsage();
    let peak = 0;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peak = Math.max(peak, m.heapUsed + m.arrayBuffers - (base.heapUsed + base.arrayBuffers));
    }, 5);
    const { summary, events } = await importInto(jsonlImporter, file);
    clearInterval(sampler);

    expect(events.map((e) => e.requestId ?? e.id).length).toBe(2);
    expect(summary.malformedLines).toBe(1);
    expect(summary.malformedSamples).toEqual([
      {
        file,
        line: 2,
        reason: `line is 96 MiB, over the ${MAX_LINE_BYTES / MiB} MiB line limit; skipped without reading it whole`,
      },
    ]);
    console.log(`peak memory growth while importing: ${(peak / MiB).toFixed(1)} MiB`);
    // A reader that held the line would need its 96 MiB (more as a string); this one holds at most the limit.
    expect(peak).toBeLessThan(MAX_LINE_BYTES + 24 * MiB);
  }, 60_000);

  it("the CLI prints the skipped line as file:line with the reason, and a rerun completes", async () => {
    const box = sandbox();
    const file = fileWithHugeLine(MAX_LINE_BYTES + MiB);
    for (let run = 0; run < 2; run++) {
      const r = await runCli(["import", "jsonl", file, "--full"], { env: box.env });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(`malformed: ${file}:2: line is 17 MiB, over the 16 MiB line limit`);
    }
  }, 60_000);
});
