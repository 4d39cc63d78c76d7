/**
 * Import throughput and memory of `tokenledger import claude-code` on a generated Claude Code log tree.
 * Size: BENCH_IMPORT_MB (default 200), or 1024 with BENCH_FULL=1. Files of ~25 MB, three streaming
 * snapshots per message (two are duplicates), lines padded with realistic text content.
 *   node --import tsx bench/import-claude-code.ts
 */
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, utimesSync } from "node:fs";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runChild } from "./report-cli-child.js";
import { check, size } from "./util.js";

const totalMb = size("BENCH_IMPORT_MB", process.env.BENCH_FULL === "1" ? 1024 : 200, 5);
const FILE_MB = 25;

async function writeSession(path: string, megabytes: number, seed: number): Promise<number> {
  const out = createWriteStream(path);
  const text = "Let me look at the failing test and the stack trace first. ".repeat(20);
  let bytes = 0;
  let lines = 0;
  for (let i = 0; bytes < megabytes * 1e6; i++) {
    const message = `msg_${seed}_${Math.floor(i / 3)}`;
    const line = {
      parentUuid: null,
      isSidechain: false,
      userType: "external",
      cwd: `/home/dev/project-${seed % 7}`,
      sessionId: `session-${seed}`,
      version: "2.0.31",
      type: "assistant",
      message: {
        id: message,
        type: "message",
        role: "assistant",
        model: i % 5 === 0 ? "claude-opus-4-1-20250805" : "claude-sonnet-4-5-20250929",
        content: [{ type: "text", text }],
        usage: {
          input_tokens: 12,
          cache_creation_input_tokens: 800,
          cache_read_input_tokens: 40_000 + (i % 1000),
          output_tokens: (i % 3) * 150 + 1,
          service_tier: "standard",
        },
      },
      requestId: `req_${seed}_${Math.floor(i / 3)}`,
      uuid: `u-${seed}-${i}`,
      timestamp: new Date(Date.UTC(2026, 9, 1) + seed * 3_600_000 + i * 2000).toISOString(),
    };
    const s = `${JSON.stringify(line)}\n`;
    bytes += s.length;
    lines += 1;
    if (!out.write(s)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  // Finished sessions: a file modified moments ago would count as still being written.
  const past = new Date(Date.now() - 3_600_000);
  utimesSync(path, past, past);
  return lines;
}

const dir = mkdtempSync(join(tmpdir(), "tl-bench-import-"));
try {
  const projects = join(dir, "projects");
  let lines = 0;
  const files = Math.max(1, Math.round(totalMb / FILE_MB));
  const genStart = performance.now();
  for (let f = 0; f < files; f++) {
    const folder = join(projects, `-home-dev-project-${f % 7}`);
    mkdirSync(folder, { recursive: true });
    lines += await writeSession(join(folder, `session-${f}.jsonl`), totalMb / files, f);
  }
  console.error(
    `generated ${files} files, ${lines} lines, ${totalMb} MB in ${((performance.now() - genStart) / 1000).toFixed(1)} s`,
  );
  const env = {
    HOME: dir,
    XDG_DATA_HOME: join(dir, "data"),
    XDG_STATE_HOME: join(dir, "state"),
    XDG_CACHE_HOME: join(dir, "cache"),
    TOKENLEDGER_DATABASE_URL: join(dir, "ledger.db"),
  };
  const first = await runChild(["import", "claude-code", "--dir", projects, "--json"], env);
  if (first.code !== 0) throw new Error(first.stderr);
  const summary = JSON.parse(first.stdout) as {
    events: number;
    newEvents: number;
    duplicatesSkipped: number;
    bytesRead: number;
    seconds: number;
  };
  check(summary.events > 0 && summary.newEvents === summary.events, `first import: ${first.stdout}`);
  const again = await runChild(["import", "claude-code", "--dir", projects, "--json"], env);
  check(again.code === 0, `re-import failed: ${again.stderr}`);
  const second = JSON.parse(again.stdout) as { newEvents: number };
  check(second.newEvents === 0, `re-import of unchanged files added ${second.newEvents} events`);
  const result = {
    sizeMb: totalMb,
    files,
    lines,
    events: summary.events,
    duplicatesSkipped: summary.duplicatesSkipped,
    importSeconds: summary.seconds,
    wallSeconds: +(first.ms / 1000).toFixed(2),
    mbPerSecond: +(summary.bytesRead / 1e6 / summary.seconds).toFixed(1),
    eventsPerSecond: Math.round(summary.events / summary.seconds),
    linesPerSecond: Math.round(lines / summary.seconds),
    peakRssMb: first.maxRssKb ? +(first.maxRssKb / 1024).toFixed(1) : null,
    rerunUnchangedSeconds: +(again.ms / 1000).toFixed(2),
  };
  console.log(JSON.stringify(result, null, 2));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
