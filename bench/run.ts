/**
 * `npm run bench`: every benchmark, one child process each (so one's heap and JIT state never skews another).
 * BENCH_ONLY=record,interceptor to pick some; each script also runs alone: `node --import tsx bench/<file>.ts`.
 * Sizes: BENCH_EVENTS (report benches, default 1M), BENCH_IMPORT_MB (default 200; BENCH_FULL=1 for 1 GB).
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const BENCHES: Record<string, string> = {
  record: "record.ts",
  pricing: "pricing-cost.ts",
  interceptor: "interceptor-overhead.ts",
  "storage-ingest": "storage-ingest.ts",
  "storage-report": "storage-report.ts",
  import: "import-claude-code.ts",
  "report-cli": "report-cli.ts",
  quota: "quota-first-paint.ts",
  budget: "budget-check.ts",
};

const only = process.env.BENCH_ONLY?.split(",")
  .map((s) => s.trim())
  .filter(Boolean);
const selected = Object.entries(BENCHES).filter(([name]) => !only || only.includes(name));
let failed = 0;
for (const [name, file] of selected) {
  process.stdout.write(`\n# ${name} (bench/${file})\n`);
  const script = fileURLToPath(new URL(`./${file}`, import.meta.url));
  const r = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", script], {
    stdio: "inherit",
    env: process.env,
  });
  if (r.status !== 0) {
    failed++;
    process.stdout.write(`! ${name} exited with ${r.status ?? r.signal}\n`);
  }
}
process.exitCode = failed > 0 ? 1 : 0;
