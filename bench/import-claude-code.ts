/**
 * `tokenledger import claude-code` on a generated Claude Code tree (bench/claude-tree.ts): first import MB/s,
 * CPU-s per 100 MB and peak RSS, then a re-run with nothing new and one new session (the import's own seconds).
 * Baselines from the same run, on the same tree:
 *   - `naive parse`: readline + JSON.parse of every line (the previous importer's read path), in process;
 *   - `BENCH_IMPORT_BASELINE=/path/to/other/checkout`: that checkout's CLI doing the same first import;
 *   - `ccusage daily --json` when a `ccusage` binary is on PATH (skipped with a notice otherwise).
 * Size: BENCH_IMPORT_MB (default 200; 1024 with BENCH_FULL=1; 20 with BENCH_QUICK=1 for CI).
 *   node --import tsx bench/import-claude-code.ts
 */
import { spawnSync } from "node:child_process";
import { createReadStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { writeClaudeTree } from "./claude-tree.js";
import { runChild } from "./report-cli-child.js";

const totalMb = Number(
  process.env.BENCH_IMPORT_MB ??
    (process.env.BENCH_FULL === "1" ? 1024 : process.env.BENCH_QUICK === "1" ? 20 : 200),
);

interface Summary {
  events: number;
  bytesRead: number;
  seconds: number;
  cpuSeconds: number;
}

async function naiveParse(files: readonly string[]): Promise<{ seconds: number; cpuSeconds: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let usage = 0;
  for (const f of files) {
    const lines = createInterface({
      input: createReadStream(f, { highWaterMark: 1 << 20 }),
      crlfDelay: Infinity,
    });
    for await (const line of lines) {
      const v = JSON.parse(line) as { message?: { usage?: unknown } };
      if (v.message?.usage) usage += 1;
    }
  }
  const cpu = process.cpuUsage(cpu0);
  if (usage === 0) throw new Error("naive parse found no usage");
  return { seconds: (performance.now() - t0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

function listJsonl(dir: string): string[] {
  const r = spawnSync("find", [dir, "-name", "*.jsonl", "-type", "f"], { encoding: "utf8" });
  return r.stdout.split("\n").filter(Boolean).sort();
}

const dir = mkdtempSync(join(tmpdir(), "tl-bench-import-"));
try {
  const projects = join(dir, "projects");
  const genStart = performance.now();
  const tree = await writeClaudeTree(projects, totalMb);
  const mb = tree.bytes / 1e6;
  console.error(
    `generated ${tree.files} files, ${tree.lines} lines, ${tree.requests} requests, ${mb.toFixed(0)} MB in ${((performance.now() - genStart) / 1000).toFixed(1)} s`,
  );
  const env = (name: string) => ({
    HOME: dir,
    XDG_DATA_HOME: join(dir, `data-${name}`),
    XDG_STATE_HOME: join(dir, `state-${name}`),
    XDG_CACHE_HOME: join(dir, "cache"),
    TOKENLEDGER_DATABASE_URL: join(dir, `ledger-${name}.db`),
  });

  const naive = await naiveParse(listJsonl(projects));

  const first = await runChild(["import", "claude-code", "--dir", projects, "--json"], env("new"));
  if (first.code !== 0) throw new Error(first.stderr);
  const s = JSON.parse(first.stdout) as Summary;
  const again = await runChild(["import", "claude-code", "--dir", projects, "--json"], env("new"));
  const unchanged = JSON.parse(again.stdout) as Summary;
  await writeClaudeTree(projects, 2, 2, 10_000); // one new ~2 MB session
  const oneNew = await runChild(["import", "claude-code", "--dir", projects, "--json"], env("new"));
  const added = JSON.parse(oneNew.stdout) as Summary;

  const result: Record<string, unknown> = {
    sizeMb: +mb.toFixed(1),
    files: tree.files,
    requests: tree.requests,
    events: s.events,
    firstImport: {
      seconds: s.seconds,
      mbPerSecond: +(s.bytesRead / 1e6 / s.seconds).toFixed(1),
      cpuSecondsPer100Mb: +((s.cpuSeconds / mb) * 100).toFixed(3),
      wallSecondsWithStartup: +(first.ms / 1000).toFixed(2),
      peakRssMb: first.maxRssKb ? +(first.maxRssKb / 1024).toFixed(1) : null,
    },
    nothingNew: { importSeconds: unchanged.seconds, wallSeconds: +(again.ms / 1000).toFixed(2) },
    oneNewSession: { importSeconds: added.seconds, bytesRead: added.bytesRead },
    baselineNaiveParse: {
      seconds: +naive.seconds.toFixed(2),
      mbPerSecond: +(mb / naive.seconds).toFixed(1),
      cpuSecondsPer100Mb: +((naive.cpuSeconds / mb) * 100).toFixed(3),
      firstImportSpeedup: +(naive.seconds / s.seconds).toFixed(2),
    },
  };

  const other = process.env.BENCH_IMPORT_BASELINE;
  if (other) {
    const prev = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        join(other, "src", "cli", "index.ts"),
        "import",
        "claude-code",
        "--dir",
        projects,
        "--json",
      ],
      {
        cwd: other,
        env: { ...process.env, ...env("baseline"), TSX_TSCONFIG_PATH: join(other, "tsconfig.json") },
        encoding: "utf8",
      },
    );
    if (prev.status === 0) {
      const b = JSON.parse(prev.stdout) as Summary;
      result.baselineCheckout = {
        path: other,
        seconds: b.seconds,
        mbPerSecond: +(b.bytesRead / 1e6 / b.seconds).toFixed(1),
        events: b.events,
        speedup: +(b.seconds / s.seconds).toFixed(2),
      };
    } else result.baselineCheckout = { path: other, error: prev.stderr.slice(0, 400) };
  }

  const ccusage = spawnSync("ccusage", ["--version"], { encoding: "utf8" });
  if (ccusage.status === 0) {
    const t0 = performance.now();
    const c = spawnSync("ccusage", ["daily", "--json", "--offline"], {
      env: { ...process.env, CLAUDE_CONFIG_DIR: dir },
      encoding: "utf8",
    });
    const seconds = (performance.now() - t0) / 1000;
    result.ccusage = {
      version: ccusage.stdout.trim(),
      seconds: +seconds.toFixed(2),
      mbPerSecond: +(mb / seconds).toFixed(1),
      ok: c.status === 0,
    };
  } else {
    console.error("ccusage not on PATH: its column is skipped (install it to compare side by side)");
  }
  console.log(JSON.stringify(result, null, 2));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
