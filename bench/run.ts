/**
 * `npm run bench`: every benchmark, one child process each (so one's heap and JIT state never skews another).
 * `npm run bench:quick` (or `--quick`, BENCH_QUICK=1): small sizes, the whole set in under a minute; CI runs it.
 * BENCH_ONLY=record,interceptor to pick some; each script also runs alone: `node --import tsx bench/<file>.ts`.
 * Sizes: BENCH_EVENTS (report benches, default 1M), BENCH_IMPORT_MB (default 200; BENCH_FULL=1 for 1 GB).
 *
 * Each benchmark gets its own temp directory (TMPDIR), removed afterwards whatever happened, and a time budget:
 * past it the child's whole process group is killed. The run exits non-zero when a benchmark throws (a failed
 * cross-check throws), exits non-zero, or runs out of time.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const quick = process.argv.includes("--quick") || process.env.BENCH_QUICK === "1";

interface BenchEntry {
  readonly file: string;
  /** Wall-clock budget in seconds: [full, quick]. */
  readonly budget: readonly [number, number];
}

// Budgets catch hangs, not slowness: several times a loaded 2-core machine's run (BENCH_BUDGET_SCALE multiplies them).
const BENCHES: Record<string, BenchEntry> = {
  record: { file: "record.ts", budget: [300, 120] },
  pricing: { file: "pricing-cost.ts", budget: [300, 120] },
  interceptor: { file: "interceptor-overhead.ts", budget: [1200, 240] },
  "storage-ingest": { file: "storage-ingest.ts", budget: [1800, 240] },
  "storage-report": { file: "storage-report.ts", budget: [3600, 240] },
  import: { file: "import-claude-code.ts", budget: [1800, 180] },
  "report-cli": { file: "report-cli.ts", budget: [3600, 300] },
  quota: { file: "quota-first-paint.ts", budget: [300, 120] },
  failover: { file: "failover.ts", budget: [300, 120] },
  otel: { file: "otel-overhead.ts", budget: [300, 120] },
  budget: { file: "budget-check.ts", budget: [600, 180] },
  reprice: { file: "reprice.ts", budget: [900, 120] },
  advice: { file: "advice.ts", budget: [1800, 180] },
  proxy: { file: "proxy.ts", budget: [1800, 180] },
  "serve-aggregate": { file: "serve-aggregate.ts", budget: [3600, 240] },
  "serve-ingest": { file: "serve-ingest.ts", budget: [1800, 180] },
  dashboard: { file: "dashboard-load.ts", budget: [1200, 180] },
  "http-ingest": { file: "http-ingest.ts", budget: [600, 120] },
};

const only = process.env.BENCH_ONLY?.split(",")
  .map((s) => s.trim())
  .filter(Boolean);
const unknown = only?.filter((n) => !(n in BENCHES)) ?? [];
if (unknown.length > 0) {
  process.stderr.write(
    `BENCH_ONLY: unknown benchmark ${unknown.join(", ")} (known: ${Object.keys(BENCHES).join(", ")})\n`,
  );
  process.exit(2);
}
const selected = Object.entries(BENCHES).filter(([name]) => !only || only.includes(name));

let current: { pid: number; tmp: string } | null = null;
// Children run in their own process group: pass Ctrl-C on, and leave no temp data behind.
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    if (current) {
      try {
        process.kill(-current.pid, "SIGKILL");
      } catch {
        /* already gone */
      }
      rmSync(current.tmp, { recursive: true, force: true });
    }
    process.exit(130);
  });
}

/** Runs one benchmark; resolves to a failure description, or null when it passed. */
function runOne(name: string, entry: BenchEntry): Promise<string | null> {
  const script = fileURLToPath(new URL(`./${entry.file}`, import.meta.url));
  const tmp = mkdtempSync(join(tmpdir(), `tl-bench-${name}-`));
  const budgetS = entry.budget[quick ? 1 : 0] * Number(process.env.BENCH_BUDGET_SCALE ?? 1);
  return new Promise((done) => {
    const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", script], {
      stdio: "inherit",
      // Own process group, so a timeout also ends the CLI children a benchmark starts.
      detached: true,
      env: { ...process.env, TMPDIR: tmp, TMP: tmp, TEMP: tmp, ...(quick ? { BENCH_QUICK: "1" } : {}) },
    });
    if (child.pid !== undefined) current = { pid: child.pid, tmp };
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-(child.pid as number), "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    }, budgetS * 1000);
    const finish = (failure: string | null) => {
      clearTimeout(timer);
      current = null;
      rmSync(tmp, { recursive: true, force: true });
      done(failure);
    };
    child.on("error", (error) => finish(`could not start: ${error.message}`));
    child.on("exit", (code, signal) => {
      if (timedOut) finish(`ran past its ${budgetS} s budget and was killed`);
      else if (code !== 0) finish(`exited with ${code ?? signal}`);
      else finish(null);
    });
  });
}

const failures: string[] = [];
const started = performance.now();
for (const [name, entry] of selected) {
  process.stdout.write(`\n# ${name} (bench/${entry.file}${quick ? ", quick" : ""})\n`);
  const t0 = performance.now();
  const failure = await runOne(name, entry);
  const s = ((performance.now() - t0) / 1000).toFixed(1);
  if (failure) {
    failures.push(`${name}: ${failure}`);
    process.stdout.write(`! ${name} ${failure} (${s} s)\n`);
  } else process.stdout.write(`# ${name}: ok in ${s} s\n`);
}
const total = ((performance.now() - started) / 1000).toFixed(1);
if (failures.length > 0) {
  process.stdout.write(
    `\nbench: ${failures.length} of ${selected.length} failed in ${total} s\n  ${failures.join("\n  ")}\n`,
  );
  process.exitCode = 1;
} else process.stdout.write(`\nbench: all ${selected.length} finished in ${total} s\n`);
