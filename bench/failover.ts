/**
 * Failover: the cost of the routing decision, and what a dead primary adds once its breaker is open, against a
 * direct call to the secondary, all in one run, through the real `openai` SDK and local HTTP upstreams.
 *
 * - decision: `FailoverGroup.run` around an attempt that resolves at once (breaker reads, timer, bookkeeping);
 * - direct secondary: the SDK straight to the healthy upstream (baseline);
 * - failover, primary open: the same call through `failover()` whose primary (500s) has an open breaker;
 * - failover, primary healthy: routing overhead on the happy path vs a direct call to that primary;
 * - naive: the SDK's own default retries (2) against the 500 primary, then the caller's own fallback call,
 *   the shape of a single-deployment LiteLLM group during an outage.
 *
 *   node --import tsx bench/failover.ts [--iterations 2000] [--naive 5]
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { parseArgs } from "node:util";
import { Bench } from "tinybench";
import type * as OpenAIModule from "openai";
import { failover, groupOf } from "../src/failover/index.js";
import { FailoverGroup } from "../src/failover/group.js";
import { DEFAULT_POLICY } from "../src/failover/policy.js";
import { median, printTable, QUICK } from "./util.js";

const require = createRequire(import.meta.url);
const { OpenAI } = require("openai") as typeof OpenAIModule;
const { values: args } = parseArgs({
  // Quick mode (bench/run.ts --quick): fewer samples; the naive case alone costs ~1.5 s per call (SDK backoff).
  options: {
    iterations: { type: "string", default: QUICK ? "300" : "2000" },
    naive: { type: "string", default: QUICK ? "2" : "5" },
  },
});
const ITERATIONS = Number(args.iterations);
const NAIVE = Number(args.naive);

const ANSWER = JSON.stringify({
  id: "c",
  object: "chat.completion",
  created: 1,
  model: "gpt-4o-mini",
  choices: [{ index: 0, message: { role: "assistant", content: "hi" }, finish_reason: "stop" }],
  usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 },
});

function upstream(status: number): Promise<{ server: Server; baseURL: string }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(status === 200 ? ANSWER : JSON.stringify({ error: { message: "down", type: "server_error" } }));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({ server, baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1` }),
    ),
  );
}

async function p50Micros(fn: () => Promise<unknown>, iterations = ITERATIONS): Promise<number> {
  const bench = new Bench({
    iterations,
    time: 0,
    warmup: true,
    warmupIterations: QUICK ? 50 : 200,
    warmupTime: 0,
  });
  bench.add("x", async () => {
    await fn();
  });
  await bench.run();
  const latency = (bench.tasks[0]!.result as { latency?: { p50?: number } }).latency;
  return (latency?.p50 ?? Number.NaN) * 1000;
}

const messages = [{ role: "user" as const, content: "Hi" }];
const dead = await upstream(500);
const healthy = await upstream(200);
const healthy2 = await upstream(200);

// 1. the decision alone
const group = new FailoverGroup(
  "bench",
  "openai",
  [
    { provider: "openai", client: {} },
    { provider: "azure", client: {} },
  ],
  DEFAULT_POLICY,
);
const hooks = { failedOver: () => undefined, answered: () => undefined };
const decision = await p50Micros(
  () => group.run(async () => ({ value: 1, settled: true }), null, hooks),
  50_000,
);
// with the first target open: one skip, then the second
const openGroup = new FailoverGroup(
  "bench-open",
  "openai",
  group.targets.map((t) => t.spec),
  DEFAULT_POLICY,
);
for (let i = 0; i < 3; i++) openGroup.targets[0]!.breaker.failure(Date.now(), "server_error", null);
const decisionOpen = await p50Micros(
  () => openGroup.run(async () => ({ value: 1, settled: true }), null, hooks),
  50_000,
);

// 2. HTTP through the real SDK
const direct = new OpenAI({ apiKey: "sk-bench", baseURL: healthy.baseURL, maxRetries: 0 });
const directPrimary = new OpenAI({ apiKey: "sk-bench", baseURL: healthy2.baseURL, maxRetries: 0 });
const viaOpen = failover({
  name: "bench-http-open",
  record: () => undefined,
  targets: [
    { provider: "openai", client: new OpenAI({ apiKey: "sk-bench", baseURL: dead.baseURL }) },
    { provider: "openai-compatible", client: new OpenAI({ apiKey: "sk-bench", baseURL: healthy.baseURL }) },
  ],
});
for (let i = 0; i < 3; i++) await viaOpen.chat.completions.create({ model: "gpt-4o-mini", messages });
if (groupOf(viaOpen)?.status()[0]?.state !== "open") throw new Error("primary breaker should be open");
const viaHealthy = failover({
  name: "bench-http-healthy",
  record: () => undefined,
  targets: [
    { provider: "openai", client: new OpenAI({ apiKey: "sk-bench", baseURL: healthy2.baseURL }) },
    { provider: "openai-compatible", client: new OpenAI({ apiKey: "sk-bench", baseURL: healthy.baseURL }) },
  ],
});

const call = (c: InstanceType<typeof OpenAI>) => () =>
  c.chat.completions.create({ model: "gpt-4o-mini", messages });
// interleave rounds so drift on a shared machine hits every variant alike
const rounds: Record<string, number[]> = { direct: [], open: [], directPrimary: [], healthy: [] };
for (let r = 0; r < 3; r++) {
  rounds.direct!.push(await p50Micros(call(direct)));
  rounds.open!.push(await p50Micros(call(viaOpen)));
  rounds.directPrimary!.push(await p50Micros(call(directPrimary)));
  rounds.healthy!.push(await p50Micros(call(viaHealthy)));
}
const m = Object.fromEntries(Object.entries(rounds).map(([k, v]) => [k, median(v)])) as Record<
  string,
  number
>;

// 3. naive: SDK default retries into the dead primary, then the fallback
const naiveClient = new OpenAI({ apiKey: "sk-bench", baseURL: dead.baseURL }); // maxRetries 2 (default)
const naive: number[] = [];
for (let i = 0; i < NAIVE; i++) {
  const t0 = performance.now();
  await naiveClient.chat.completions
    .create({ model: "gpt-4o-mini", messages })
    .catch(() => direct.chat.completions.create({ model: "gpt-4o-mini", messages }));
  naive.push((performance.now() - t0) * 1000);
}

const us = (x: number): string => `${x.toFixed(1)} µs`;
printTable(
  "routing decision (FailoverGroup.run, no I/O), p50",
  ["case", "p50"],
  [
    ["first target closed", us(decision)],
    ["first target open: skip + second", us(decisionOpen)],
  ],
);
printTable(
  `HTTP via openai SDK, p50 of ${ITERATIONS} calls, median of 3 interleaved rounds`,
  ["case", "p50", "vs baseline"],
  [
    ["direct call to the secondary (baseline)", us(m.direct!), "—"],
    [
      "failover(), dead primary with open breaker",
      us(m.open!),
      `+${us(m.open! - m.direct!)} (×${(m.open! / m.direct!).toFixed(2)})`,
    ],
    ["direct call to a healthy primary (baseline)", us(m.directPrimary!), "—"],
    [
      "failover(), healthy primary",
      us(m.healthy!),
      `+${us(m.healthy! - m.directPrimary!)} (×${(m.healthy! / m.directPrimary!).toFixed(2)})`,
    ],
    [
      `naive: SDK default retries on 500, then fallback (median of ${NAIVE})`,
      us(median(naive)),
      `×${(median(naive) / m.direct!).toFixed(0)}`,
    ],
  ],
);

for (const s of [dead, healthy, healthy2]) {
  s.server.closeAllConnections();
  s.server.close();
}
