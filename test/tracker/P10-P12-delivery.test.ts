import { afterEach, describe, expect, it, vi } from "vitest";
import { TokenTracker } from "tokenledger";
import { ScriptedStorage, sample, type Step } from "../helpers/scripted-storage.js";
import { expectAccounted, memoryLogger } from "./invariant.js";

afterEach(() => {
  vi.useRealTimers();
});

const fake = () =>
  vi.useFakeTimers({
    toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "setImmediate", "Date"],
  });

describe("P10: a flush happens at maxBatchSize events or flushIntervalMs, whichever comes first", () => {
  it("writes nothing before the interval with fewer events, exactly once at the interval", async () => {
    fake();
    const storage = new ScriptedStorage();
    const tracker = new TokenTracker({
      storage,
      flushIntervalMs: 2000,
      maxBatchSize: 100,
      logger: false,
      autoFlushOnExit: false,
    });
    for (let i = 0; i < 5; i++) tracker.record(sample(i));
    await vi.advanceTimersByTimeAsync(1999);
    expect(storage.calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(storage.calls).toHaveLength(1);
    expect(storage.rows.size).toBe(5);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(storage.calls).toHaveLength(1); // an empty queue writes nothing
    void tracker.shutdown();
  });

  it("writes immediately when a full batch is queued", async () => {
    fake();
    const storage = new ScriptedStorage();
    const tracker = new TokenTracker({
      storage,
      flushIntervalMs: 60_000,
      maxBatchSize: 10,
      logger: false,
      autoFlushOnExit: false,
    });
    for (let i = 0; i < 10; i++) tracker.record(sample(i));
    expect(storage.calls).toHaveLength(0); // never inside record()
    await vi.advanceTimersByTimeAsync(0);
    expect(storage.calls).toHaveLength(1);
    expect(storage.calls[0]?.ids).toHaveLength(10);
    void tracker.shutdown();
  });
});

// A numbered retry matrix in the spirit of Segment's T01–T22, against a scripted store with fake timers.
describe("P11: a storage outage loses nothing up to the queue bound (retry matrix)", () => {
  const cases: {
    id: string;
    script: Step[];
    writes: number;
    retries: Partial<Record<"transient" | "backend" | "row", number>>;
    healthyAfterFailure: boolean;
  }[] = [
    { id: "T01 success", script: ["ok"], writes: 1, retries: {}, healthyAfterFailure: true },
    {
      id: "T02 transient once",
      script: ["transient", "ok"],
      writes: 2,
      retries: { transient: 1 },
      healthyAfterFailure: true,
    },
    {
      id: "T03 transient thrice turns unhealthy",
      script: ["transient", "transient", "transient", "ok"],
      writes: 4,
      retries: { transient: 3 },
      healthyAfterFailure: false,
    },
    {
      id: "T04 backend (read-only) unhealthy at once",
      script: ["backend", "ok"],
      writes: 2,
      retries: { backend: 1 },
      healthyAfterFailure: false,
    },
    {
      id: "T05 mixed",
      script: ["transient", "backend", "transient", "ok"],
      writes: 4,
      retries: { transient: 2, backend: 1 },
      healthyAfterFailure: false,
    },
  ];
  for (const c of cases) {
    it(`${c.id}: all events stored once, in order, with backoff between attempts`, async () => {
      fake();
      const storage = new ScriptedStorage(c.script);
      const tracker = new TokenTracker({
        storage,
        flushIntervalMs: 60_000,
        maxBatchSize: 100,
        retry: { baseMs: 500, factor: 2, maxMs: 30_000, jitter: 0 },
        logger: false,
        autoFlushOnExit: false,
      });
      for (let i = 0; i < 20; i++) tracker.record(sample(i));
      const done = tracker.flush({ timeoutMs: 120_000 });
      let healthSeen = true;
      for (let step = 0; step < 200 && storage.rows.size < 20; step++) {
        await vi.advanceTimersByTimeAsync(100);
        healthSeen &&= tracker.stats().storageHealthy;
      }
      const r = await done;
      expect(r.timedOut).toBe(false);
      expect(storage.calls).toHaveLength(c.writes);
      expect(storage.rows.size).toBe(20);
      expect([...storage.rows.values()].map((e) => e.metadata?.tag)).toEqual(
        Array.from({ length: 20 }, (_, i) => `e${i}`),
      );
      // Backoff: 500, 1000, 2000 ms between consecutive attempts (jitter 0).
      for (let i = 1; i < storage.calls.length; i++) {
        const gap = (storage.calls[i]?.at ?? 0) - (storage.calls[i - 1]?.at ?? 0);
        expect(gap).toBeGreaterThanOrEqual(500 * 2 ** (i - 1));
      }
      const s = tracker.stats();
      expect(s.retries).toEqual({ transient: 0, backend: 0, row: 0, ...c.retries });
      expect(healthSeen).toBe(c.healthyAfterFailure);
      expect(s.storageHealthy).toBe(true);
      expectAccounted(tracker);
      void tracker.shutdown();
    });
  }

  it("T06 a row the store rejects is isolated by bisection; the other 99 are stored", async () => {
    const storage = new ScriptedStorage();
    storage.poison.add("e37");
    const log = memoryLogger();
    const tracker = new TokenTracker({
      storage,
      maxBatchSize: 100,
      logger: log.logger,
      autoFlushOnExit: false,
    });
    for (let i = 0; i < 100; i++) tracker.record(sample(i));
    await tracker.flush();
    expect(storage.rows.size).toBe(99);
    expect([...storage.rows.values()].some((e) => e.metadata?.tag === "e37")).toBe(false);
    expect(tracker.stats().dropped.rejected).toBe(1);
    expect(log.errors.some((e) => e.includes("rejected"))).toBe(true);
    expectAccounted(tracker);
    await tracker.shutdown();
  });
});

describe("P12/P15: no duplicates after an ambiguous failure; nothing removed before the commit", () => {
  it("commit-then-throw is retried harmlessly (idempotent by id)", async () => {
    const storage = new ScriptedStorage(["commitThenThrow", "ok"]);
    const tracker = new TokenTracker({
      storage,
      retry: { baseMs: 5 },
      logger: false,
      autoFlushOnExit: false,
    });
    for (let i = 0; i < 30; i++) tracker.record(sample(i));
    await tracker.flush();
    expect(storage.calls).toHaveLength(2);
    expect(storage.calls[0]?.ids).toEqual(storage.calls[1]?.ids); // same ids, same order
    expect(storage.rows.size).toBe(30);
    expect(tracker.stats().persisted).toBe(30);
    await tracker.shutdown();
  });

  it("events stay queued while a write is unacknowledged", async () => {
    const storage = new ScriptedStorage(["hang"]);
    const tracker = new TokenTracker({
      storage,
      storageTimeoutMs: 50,
      retry: { baseMs: 10 },
      logger: false,
      autoFlushOnExit: false,
    });
    for (let i = 0; i < 5; i++) tracker.record(sample(i));
    const r1 = await tracker.flush({ timeoutMs: 30 });
    expect(r1.timedOut).toBe(true);
    expect(tracker.stats().queueDepth).toBe(5);
    const r2 = await tracker.flush({ timeoutMs: 2000 });
    expect(r2.timedOut).toBe(false);
    expect(storage.rows.size).toBe(5);
    await tracker.shutdown();
  });
});

describe("P16: a retry budget ends, and the end is counted", () => {
  it("drops events retried for longer than maxRetryDurationMs as retry_exhausted", async () => {
    const storage = new ScriptedStorage(Array.from({ length: 50 }, () => "backend" as const));
    const tracker = new TokenTracker({
      storage,
      maxRetryDurationMs: 60,
      retry: { baseMs: 20, maxMs: 20, jitter: 0 },
      logger: false,
      autoFlushOnExit: false,
    });
    for (let i = 0; i < 7; i++) tracker.record(sample(i));
    const r = await tracker.flush({ timeoutMs: 3000 });
    expect(r.timedOut).toBe(false);
    expect(tracker.stats().dropped.retry_exhausted).toBe(7);
    expect(storage.rows.size).toBe(0);
    expectAccounted(tracker);
    await tracker.shutdown();
  });
});
