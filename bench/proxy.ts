/**
 * Proxy overhead (issue 16, Speed). One run, interleaved rounds, each target against the same fake upstream:
 * `direct` (the upstream itself), `node-pass` (node:http pipe, nothing parsed), `undici-pass` (the same with
 * undici, the proxy's transport) and `proxy` (tokenledger's, with usage parsing and recording to a null ledger).
 * Every server runs in its own process; the load generator is this process (undici pools, keep-alive).
 *
 * - Zero-delay upstream, 20 SSE chunks of ~100 bytes: added p50/p99 over direct at concurrency 1, 16, 64
 *   (median of the rounds, spread min–max), CPU ms per request of the middle process.
 * - RSS of the proxy before and after a long run at concurrency 64 (100k requests; quick: 4k).
 * - Realistic upstream (first chunk at 50 ms, then every 5 ms): added time to first body byte, each cell
 *   time-boxed to 60 s.
 *
 * `BENCH_QUICK=1`: small sizes (under a minute on a quiet 2-core machine). Knobs: BENCH_PROXY_{ROUNDS,N1,N16,N64,
 * RSS_N,TTFB_N}; PROXY_BENCH_SINK=none drops events instead of recording them (the tracker's share of the CPU);
 * PROXY_BENCH_PROF=<dir> writes a CPU profile of the proxy process.
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Pool } from "undici";
import { check, median, printTable, QUICK, size } from "./util.js";

const ROLES = fileURLToPath(new URL("./proxy-roles.ts", import.meta.url));
const TARGETS = ["direct", "node-pass", "undici-pass", "proxy"] as const;
type Target = (typeof TARGETS)[number];
const MIDDLE: readonly Target[] = ["node-pass", "undici-pass", "proxy"];

interface Child {
  readonly proc: ChildProcess;
  readonly url: string;
}

async function start(role: string, upstream = ""): Promise<Child> {
  const proc = fork(ROLES, [], {
    // PROXY_BENCH_PROF=<dir>: a CPU profile of the proxy process, for finding its hot spots.
    execArgv: [
      "--import",
      "tsx",
      ...(role === "proxy" && process.env.PROXY_BENCH_PROF
        ? ["--cpu-prof", `--cpu-prof-dir=${process.env.PROXY_BENCH_PROF}`]
        : []),
    ],
    env: { ...process.env, PROXY_BENCH_ROLE: role, PROXY_BENCH_UPSTREAM: upstream },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    proc.once("message", (m: { port: number }) => resolve(m.port));
    proc.once("exit", (code) => reject(new Error(`${role} exited with ${code}`)));
  });
  return { proc, url: `http://127.0.0.1:${port}` };
}

function stats(c: Child): Promise<{ cpu: NodeJS.CpuUsage; rss: number }> {
  return new Promise((resolve) => {
    c.proc.once("message", (m: { cpu: NodeJS.CpuUsage; rss: number }) => resolve(m));
    c.proc.send({ cmd: "stats" });
  });
}

const BODY = JSON.stringify({
  model: "gpt-4o",
  stream: true,
  stream_options: { include_usage: true },
  messages: [{ role: "user", content: "benchmark" }],
});
const HEADERS = { "content-type": "application/json", authorization: "Bearer sk-bench-not-a-key" };

interface Sample {
  readonly total: number[];
  readonly firstByte: number[];
}

/** `n` streamed requests with `concurrency` workers; per request the time to the first body byte and to the end. */
async function load(
  pool: Pool,
  path: string,
  n: number,
  concurrency: number,
  deadline = Infinity,
): Promise<Sample> {
  const total: number[] = [];
  const firstByte: number[] = [];
  let next = 0;
  let bytes = 0;
  const worker = async (): Promise<void> => {
    while (next < n && performance.now() < deadline) {
      next++;
      const t0 = performance.now();
      const { body, statusCode } = await pool.request({ path, method: "POST", headers: HEADERS, body: BODY });
      let first = 0;
      for await (const chunk of body) {
        if (first === 0) first = performance.now() - t0;
        bytes += (chunk as Buffer).length;
      }
      if (statusCode !== 200) throw new Error(`status ${statusCode}`);
      total.push(performance.now() - t0);
      firstByte.push(first);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  check(bytes > 0, "no bytes received");
  return { total, firstByte };
}

function pct(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

const f = (ms: number): string => (Number.isFinite(ms) ? ms.toFixed(3) : "—");
const spread = (xs: number[]): string => `${f(median(xs))} (${f(Math.min(...xs))}…${f(Math.max(...xs))})`;

const upstream = await start("upstream");
const [nodePass, undiciPass, proxyChild] = await Promise.all([
  start("node-pass", upstream.url),
  start("undici-pass", upstream.url),
  start("proxy", upstream.url),
]);
const children: Record<Exclude<Target, "direct">, Child> = {
  "node-pass": nodePass,
  "undici-pass": undiciPass,
  proxy: proxyChild,
};
const urlOf = (t: Target): string => (t === "direct" ? upstream.url : children[t].url);
const pools = Object.fromEntries(TARGETS.map((t) => [t, new Pool(urlOf(t), { connections: 128 })])) as Record<
  Target,
  Pool
>;

try {
  const rounds = size("BENCH_PROXY_ROUNDS", 5, 2);
  const perCell: Record<number, number> = {
    1: size("BENCH_PROXY_N1", 3000, 200),
    16: size("BENCH_PROXY_N16", 10_000, 400),
    64: size("BENCH_PROXY_N64", 10_000, 400),
  };
  // Warm-up: JIT, connections.
  for (const t of TARGETS) await load(pools[t], "/v1/chat/completions", QUICK ? 200 : 2000, 16);

  const rows: string[][] = [];
  for (const c of [1, 16, 64]) {
    const added: Record<string, { p50: number[]; p99: number[]; cpu: number[] }> = {};
    for (const t of MIDDLE) added[t] = { p50: [], p99: [], cpu: [] };
    const direct = { p50: [] as number[], p99: [] as number[] };
    for (let r = 0; r < rounds; r++) {
      // Rotate the order each round so no target always runs first (or right after GC-heavy work).
      const order = TARGETS.map((_, i) => TARGETS[(i + r) % TARGETS.length]!);
      const results: Partial<Record<Target, Sample>> = {};
      const cpu: Partial<Record<Target, number>> = {};
      for (const t of order) {
        const before = t === "direct" ? undefined : await stats(children[t]);
        results[t] = await load(pools[t], "/v1/chat/completions", perCell[c]!, c);
        if (before && t !== "direct") {
          const after = await stats(children[t]);
          const us = after.cpu.user - before.cpu.user + after.cpu.system - before.cpu.system;
          cpu[t] = us / 1000 / perCell[c]!;
        }
      }
      const d50 = pct(results.direct!.total, 50);
      const d99 = pct(results.direct!.total, 99);
      direct.p50.push(d50);
      direct.p99.push(d99);
      for (const t of MIDDLE) {
        added[t]!.p50.push(pct(results[t]!.total, 50) - d50);
        added[t]!.p99.push(pct(results[t]!.total, 99) - d99);
        added[t]!.cpu.push(cpu[t]!);
      }
    }
    rows.push([String(c), "direct", spread(direct.p50), spread(direct.p99), "", ""]);
    for (const t of MIDDLE)
      rows.push([String(c), t, spread(added[t]!.p50), spread(added[t]!.p99), spread(added[t]!.cpu), ""]);
    const proxyCpu = median(added.proxy!.cpu);
    const passCpu = median(added["node-pass"]!.cpu);
    rows[rows.length - 1]![5] = `cpu ×${(proxyCpu / passCpu).toFixed(2)} of node-pass`;
  }
  printTable(
    `proxy overhead, zero-delay upstream, 20 chunks (${rounds} interleaved rounds; median (min…max) over rounds; ms)`,
    ["conc", "target", "p50 (direct) / added p50", "p99 (direct) / added p99", "CPU ms/req", "note"],
    rows,
  );

  // RSS over a long run at concurrency 64 (proxy process).
  const rssN = size("BENCH_PROXY_RSS_N", 100_000, 2000);
  const rss0 = (await stats(children.proxy)).rss;
  const half = await load(pools.proxy, "/v1/chat/completions", rssN / 2, 64);
  const rss1 = (await stats(children.proxy)).rss;
  await load(pools.proxy, "/v1/chat/completions", rssN / 2, 64);
  const rss2 = (await stats(children.proxy)).rss;
  check(half.total.length === rssN / 2, "RSS run lost requests");
  const mb = (b: number): string => `${(b / 1048576).toFixed(1)} MB`;
  printTable(
    `proxy RSS over ${rssN} requests at concurrency 64`,
    ["start", "half-way", "end", "second half growth"],
    [[mb(rss0), mb(rss1), mb(rss2), mb(rss2 - rss1)]],
  );

  // Realistic upstream: added time to first body byte, each cell time-boxed to 60 s.
  const ttfbRows: string[][] = [];
  for (const c of [1, 16]) {
    // Quick mode: each c=1 request holds ~150 ms of upstream pacing, so a handful shows the path works.
    const n = size("BENCH_PROXY_TTFB_N", c === 1 ? 200 : 800, c === 1 ? 4 : 16);
    const first: Record<Target, number[]> = { direct: [], "node-pass": [], "undici-pass": [], proxy: [] };
    for (let r = 0; r < rounds; r++) {
      for (const t of TARGETS.map((_, i) => TARGETS[(i + r) % TARGETS.length]!)) {
        const s = await load(
          pools[t],
          "/v1/chat/completions?slow",
          n,
          c,
          performance.now() + 60_000 / rounds,
        );
        first[t].push(median(s.firstByte));
      }
    }
    ttfbRows.push([String(c), spread(first.direct)]);
    for (const t of MIDDLE)
      ttfbRows[ttfbRows.length - 1]!.push(spread(first[t].map((v, i) => v - first.direct[i]!)));
  }
  printTable(
    "added time to first byte, upstream first chunk at 50 ms then every 5 ms (median per round; ms)",
    ["conc", "direct TTFB", "node-pass added", "undici-pass added", "proxy added"],
    ttfbRows,
  );
} finally {
  await Promise.all(Object.values(pools).map((p) => p.close()));
  for (const c of [upstream, ...Object.values(children)]) c.proc.kill("SIGINT");
}
