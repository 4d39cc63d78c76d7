import { describe, expect, it } from "vitest";
import { TokenTracker } from "tokenledger";
import { ScriptedStorage, sample } from "../helpers/scripted-storage.js";
import { expectAccounted, memoryLogger } from "./invariant.js";

describe("P06: memory is bounded; overflow drops the newest events, counted, logged once", () => {
  it("holds at most maxQueueSize events while storage hangs", async () => {
    const storage = new ScriptedStorage(["hang"]);
    const log = memoryLogger();
    const max = 50;
    const tracker = new TokenTracker({
      storage,
      maxQueueSize: max,
      maxBatchSize: 10,
      logger: log.logger,
      autoFlushOnExit: false,
    });
    const heapBefore = process.memoryUsage().heapUsed;
    for (let i = 0; i < 10 * max; i++) tracker.record(sample(i));
    await new Promise((r) => setTimeout(r, 20));
    const s = tracker.stats();
    expect(s.queueDepth).toBe(max);
    expect(s.dropped.queue_full).toBe(9 * max);
    expect(log.warns.filter((w) => w.includes("queue full"))).toHaveLength(1);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(20 * 1024 * 1024);
    // The oldest events are the ones kept (time-ordered data survives).
    expect(storage.calls[0]?.ids).toHaveLength(10);
    expectAccounted(tracker);
    void tracker.shutdown({ timeoutMs: 10 });
  });
});

describe("P07: batches and events are bounded", () => {
  it("drops an event with oversized metadata as too_large and stores the rest of its batch", async () => {
    const storage = new ScriptedStorage();
    const tracker = new TokenTracker({ storage, logger: false, autoFlushOnExit: false });
    tracker.record(sample(1));
    tracker.record({ ...sample(2), metadata: { blob: "x".repeat(1024 * 1024) } });
    tracker.record(sample(3));
    await tracker.flush();
    expect(storage.rows.size).toBe(2);
    expect(tracker.stats().dropped.too_large).toBe(1);
    expectAccounted(tracker);
    await tracker.shutdown();
  });

  it("clamps maxBatchSize to maxQueueSize with a warning", () => {
    const log = memoryLogger();
    const tracker = new TokenTracker({
      storage: new ScriptedStorage(),
      maxQueueSize: 10,
      maxBatchSize: 50,
      logger: log.logger,
      autoFlushOnExit: false,
    });
    expect(log.warns.some((w) => w.includes("maxBatchSize 50") && w.includes("maxQueueSize 10"))).toBe(true);
    void tracker.shutdown();
  });
});

describe("P08: one flush in flight; concurrent flushes coalesce", () => {
  it("100 concurrent flush() calls over 1000 events make ceil(1000/batch) writes and no duplicates", async () => {
    const storage = new ScriptedStorage();
    storage.delayMs = 2;
    const tracker = new TokenTracker({
      storage,
      maxQueueSize: 2000,
      maxBatchSize: 100,
      flushIntervalMs: 60_000,
      logger: false,
      autoFlushOnExit: false,
    });
    for (let i = 0; i < 1000; i++) tracker.record(sample(i));
    const results = await Promise.all(Array.from({ length: 100 }, () => tracker.flush()));
    expect(results.every((r) => !r.timedOut && r.pending === 0)).toBe(true);
    expect(storage.calls).toHaveLength(10);
    expect(storage.rows.size).toBe(1000);
    expect(new Set(storage.calls.flatMap((c) => c.ids)).size).toBe(1000);
    expectAccounted(tracker);
    await tracker.shutdown();
  });
});
