/**
 * record(): median cost per event on the caller's path, and memory with the queue full.
 * Baseline in the same run: pushing the same object onto a plain array.
 */
import { TokenTracker, withContext } from "tokenledger";
import { NullStorage } from "./null-storage.js";
import { QUICK, check, isMain, median, printTable } from "./util.js";

class HangingStorage extends NullStorage {
  override insertBatch(): Promise<void> {
    return new Promise(() => {});
  }
}

const input = {
  provider: "openai",
  model: "gpt-4o-mini-2024-07-18",
  requestedModel: "gpt-4o-mini",
  operation: "chat",
  usage: { uncachedInputTokens: 1200, cacheReadTokens: 800, outputTokens: 300, reasoningTokens: 0 },
  latencyMs: 812,
};

function timePerOp(fn: () => void, n: number): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  return Number(process.hrtime.bigint() - t0) / n;
}

export async function benchRecord(): Promise<string[][]> {
  const rounds = QUICK ? 5 : 15;
  const perRound = 2000;
  const baseline: number[] = [];
  const recorded: number[] = [];
  const inContext: number[] = [];
  // The queue never fills: maxBatchSize large, flush between rounds (outside the timed region).
  const tracker = new TokenTracker({
    storage: new NullStorage(),
    maxQueueSize: perRound + 1,
    maxBatchSize: perRound + 1,
    flushIntervalMs: 3_600_000,
    logger: false,
    autoFlushOnExit: false,
  });
  for (let r = 0; r < rounds; r++) {
    const arr: unknown[] = [];
    baseline.push(timePerOp(() => arr.push({ ...input }), perRound));
    recorded.push(timePerOp(() => tracker.record(input), perRound));
    await tracker.flush();
    withContext({ userId: "u-1", teamId: "eng", feature: "chat" }, () => {
      inContext.push(timePerOp(() => tracker.record(input), perRound));
    });
    await tracker.flush();
  }
  await tracker.shutdown();

  // Memory with the queue full (storage hangs): the default 2048-event bound holds.
  if (global.gc) global.gc();
  const heap0 = process.memoryUsage().heapUsed;
  const full = new TokenTracker({ storage: new HangingStorage(), logger: false, autoFlushOnExit: false });
  for (let i = 0; i < 100_000; i++) full.record({ ...input, metadata: { i } });
  if (global.gc) global.gc();
  const heapFull = process.memoryUsage().heapUsed - heap0;
  const s = full.stats();
  void full.shutdown({ timeoutMs: 0 });
  check(
    s.queueDepth + s.dropped.queue_full === 100_000,
    `queue ${s.queueDepth} + dropped ${s.dropped.queue_full} ≠ 100000 recorded`,
  );

  const b = median(baseline);
  const rec = median(recorded);
  const ctx = median(inContext);
  return [
    ["record(): array push baseline", `${b.toFixed(0)} ns`, "1.00×"],
    ["record() (no context)", `${rec.toFixed(0)} ns`, `${(rec / b).toFixed(2)}×`],
    ["record() inside withContext", `${ctx.toFixed(0)} ns`, `${(ctx / b).toFixed(2)}×`],
    [
      `queue full: 100k records, queue ${s.queueDepth}, dropped ${s.dropped.queue_full}`,
      `${(heapFull / 1024 / 1024).toFixed(1)} MB heap`,
      "",
    ],
  ];
}

if (isMain(import.meta.url)) {
  printTable("record() overhead", ["case", "median", "vs baseline"], await benchRecord());
}
