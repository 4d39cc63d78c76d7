/**
 * The speed target ("interceptor overhead with OTel export on under 10 µs median per call against the
 * bare SDK") in CPU instructions, which a shared machine does not perturb the way it perturbs wall clock.
 *
 *   node --import tsx bench/otel-instructions.ts [--calls 1000] [--warmup 1000] [--repeat 2] [--wall-rounds 7]
 *
 * Each variant (bare SDK, tracked with OTel export off, tracked with export on) runs in its own process under
 * `valgrind --tool=callgrind`. The child calls `os.getPriority()` (libuv's `uv_os_getpriority`, which nothing
 * else calls) after the warm-up and after the measured calls; `--dump-before=uv_os_getpriority` makes callgrind
 * write one dump per marker, so the second dump holds exactly the measured calls (start-up, imports and warm-up
 * excluded). The count covers every thread, so it includes the flush path (event building, span and metric
 * recording) that runs off the call: an upper bound on the call-path cost. To turn instructions into µs, the
 * bare call's wall time is measured natively (fastest of `--wall-rounds` medians, the least disturbed) and the
 * bare call's instructions / µs is the rate. Not in `npm run bench` (needs valgrind; ~2 min per variant).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { getPriority } from "node:os";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { build } from "esbuild";
import { medianMicros } from "./util.js";
import { MODES, OPENAI_VERSION, call, setup, type Mode } from "./otel-setup.js";

const { values: args } = parseArgs({
  options: {
    child: { type: "string" },
    calls: { type: "string", default: "1000" },
    warmup: { type: "string", default: "1000" },
    repeat: { type: "string", default: "2" },
    "wall-rounds": { type: "string", default: "7" },
    // The tracker holds its events until the end: the window then holds the call path alone (no flush path).
    "call-path": { type: "boolean", default: false },
  },
});
const CALLS = positive("calls");
const WARMUP = positive("warmup");

function positive(name: "calls" | "warmup" | "repeat" | "wall-rounds"): number {
  const n = Number(args[name]);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive whole number`);
  return n;
}

/** In the valgrind child: warm up, mark, run the measured calls, mark. */
async function child(mode: Mode): Promise<void> {
  const s = await setup(mode, args["call-path"]);
  for (let i = 0; i < WARMUP; i++) await call(s.client);
  getPriority();
  for (let i = 0; i < CALLS; i++) await call(s.client);
  getPriority();
  // A tracked variant that recorded nothing would look cheap: check every call became an event.
  const recorded = s.tracker?.stats().recorded;
  if (recorded !== undefined && recorded !== WARMUP + CALLS)
    throw new Error(`${mode}: ${recorded} events recorded for ${WARMUP + CALLS} calls`);
  await s.teardown();
}

/**
 * The child as one plain-JS bundle: under valgrind, tsx's on-the-fly compilation was 5.7 billion instructions
 * of start-up (minutes on a loaded machine). Written under node_modules/.cache so its runtime `require`s
 * (openai, @opentelemetry/api) resolve to this checkout's packages.
 */
async function bundle(): Promise<string> {
  const dir = fileURLToPath(new URL("../node_modules/.cache/tokenledger-bench/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, "otel-instructions.mjs");
  await build({
    entryPoints: [fileURLToPath(import.meta.url)],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile,
    logLevel: "error",
    banner: {
      js: 'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);',
    },
  });
  return outfile;
}

/** Instructions of the measured calls of one variant, from callgrind's second dump. */
function instructions(script: string, mode: Mode): number {
  const dir = mkdtempSync(join(tmpdir(), "otel-cg-"));
  try {
    const r = spawnSync(
      "valgrind",
      [
        "--tool=callgrind",
        "--dump-before=uv_os_getpriority",
        `--callgrind-out-file=${join(dir, "cg.out")}`,
        process.execPath,
        script,
        "--child",
        mode,
        "--calls",
        String(CALLS),
        "--warmup",
        String(WARMUP),
        ...(args["call-path"] ? ["--call-path"] : []),
      ],
      { encoding: "utf8", stdio: ["ignore", "inherit", "pipe"] },
    );
    if (r.status !== 0) throw new Error(`valgrind (${mode}) exited ${r.status}: ${r.stderr.slice(-2000)}`);
    const dump = readdirSync(dir).find((f) => f.endsWith(".2"));
    if (!dump) throw new Error(`valgrind (${mode}): no second dump; is uv_os_getpriority exported by node?`);
    const summary = /^summary:\s+(\d+)/m.exec(readFileSync(join(dir, dump), "utf8"));
    if (!summary) throw new Error(`valgrind (${mode}): no summary line in ${dump}`);
    return Number(summary[1]) / CALLS;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Bare-SDK wall time per call, natively: the fastest of several medians (the least disturbed run). */
async function bareMicros(rounds: number): Promise<number[]> {
  const s = await setup("untracked");
  const out: number[] = [];
  for (let r = 0; r < rounds; r++) out.push(await medianMicros(CALLS, () => call(s.client)));
  await s.teardown();
  return out;
}

async function main(): Promise<void> {
  const repeat = positive("repeat");
  const ir: Record<Mode, number[]> = { untracked: [], off: [], on: [] };
  const script = await bundle();
  for (let r = 0; r < repeat; r++) for (const m of MODES) ir[m].push(instructions(script, m));
  const walls = await bareMicros(positive("wall-rounds"));
  const bareUs = Math.min(...walls);
  const perCall = (m: Mode) => Math.min(...ir[m]);
  const rate = perCall("untracked") / bareUs;
  const k = (n: number) => `${(n / 1000).toFixed(1)}k`;
  console.log(
    `\nopenai ${OPENAI_VERSION}, node ${process.version}; ${CALLS} measured calls after ${WARMUP} warm-up, ${repeat} run(s) per variant (lowest shown)`,
  );
  console.log(
    `bare call ${bareUs.toFixed(1)} µs (fastest of ${walls.length} medians: ${walls.map((w) => w.toFixed(1)).join(", ")}) -> ${rate.toFixed(0)} instructions/µs\n`,
  );
  console.log("variant                          instr/call   +instr vs bare   ≈ +µs   runs");
  for (const m of MODES) {
    const extra = perCall(m) - perCall("untracked");
    console.log(
      `${m.padEnd(32)} ${k(perCall(m)).padStart(10)} ${k(extra).padStart(16)} ${(extra / rate).toFixed(1).padStart(7)}   ${ir[m].map(k).join(", ")}`,
    );
  }
}

if (args.child) {
  if (!(MODES as readonly string[]).includes(args.child))
    throw new Error(`--child must be one of ${MODES.join(", ")}`);
  await child(args.child as Mode);
} else await main();
