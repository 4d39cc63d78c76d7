import { describe, expect, it } from "vitest";
import { TokenTracker } from "tokenledger";
import { ScriptedStorage, sample } from "../helpers/scripted-storage.js";
import { expectAccounted } from "./invariant.js";

describe("P17: flush() never rejects and honours its timeout", () => {
  it("resolves with timedOut after ~200 ms while storage is down", async () => {
    const storage = new ScriptedStorage(Array.from({ length: 100 }, () => "transient" as const));
    const tracker = new TokenTracker({
      storage,
      retry: { baseMs: 1000 },
      logger: false,
      autoFlushOnExit: false,
    });
    tracker.record(sample(1));
    const t0 = performance.now();
    const r = await tracker.flush({ timeoutMs: 200 });
    const elapsed = performance.now() - t0;
    expect(r.timedOut).toBe(true);
    expect(r.pending).toBe(1);
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(400);
    void tracker.shutdown({ timeoutMs: 0 });
  });

  it("waits only for events recorded before the call", async () => {
    const storage = new ScriptedStorage();
    const tracker = new TokenTracker({ storage, logger: false, autoFlushOnExit: false });
    tracker.record(sample(1));
    const p = tracker.flush();
    tracker.record(sample(2));
    const r = await p;
    expect(r.pending).toBe(0);
    expect(storage.rows.size).toBeGreaterThanOrEqual(1);
    await tracker.shutdown();
    expect(storage.rows.size).toBe(2);
  });
});

describe("flush() back to back", () => {
  it("a flush issued right after another resolves still drains the new events", async () => {
    const storage = new ScriptedStorage();
    const tracker = new TokenTracker({
      storage,
      maxBatchSize: 500,
      flushIntervalMs: 3_600_000,
      logger: false,
      autoFlushOnExit: false,
    });
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 10; i++) tracker.record(sample(round * 10 + i));
      const r = await tracker.flush({ timeoutMs: 1000 });
      // Runs in the microtask right after the previous drain resolved its waiters.
      for (let i = 0; i < 10; i++) tracker.record(sample(1000 + round * 10 + i));
      const r2 = await tracker.flush({ timeoutMs: 1000 });
      expect(r.timedOut || r2.timedOut).toBe(false);
    }
    expect(storage.rows.size).toBe(60);
    await tracker.shutdown();
  });
});

describe("P18: shutdown is idempotent, bounded, and releases what it owns", () => {
  it("resolves within the deadline against slow storage, once for every caller", async () => {
    const storage = new ScriptedStorage();
    storage.delayMs = 1000;
    const tracker = new TokenTracker({ storage, maxBatchSize: 1, logger: false, autoFlushOnExit: false });
    for (let i = 0; i < 5; i++) tracker.record(sample(i));
    const t0 = performance.now();
    const a = tracker.shutdown({ timeoutMs: 300 });
    const b = tracker.shutdown({ timeoutMs: 300 });
    expect(a).toBe(b);
    const r = await a;
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(280);
    expect(elapsed).toBeLessThan(500);
    expect(r.timedOut).toBe(true);
    expect(r.pending).toBeGreaterThan(0);
    expect(storage.closed).toBe(true);
  });

  it("counts events recorded after shutdown and calls the afterShutdown hook", async () => {
    const storage = new ScriptedStorage();
    const seen: string[] = [];
    const tracker = new TokenTracker({ storage, logger: false, afterShutdown: (e) => seen.push(e.provider) });
    tracker.record(sample(1));
    await tracker.shutdown();
    tracker.record(sample(2, { provider: "anthropic" }));
    expect(storage.rows.size).toBe(1);
    expect(tracker.stats().dropped.after_shutdown).toBe(1);
    expect(seen).toEqual(["anthropic"]);
    expectAccounted(tracker);
  });

  it("leaves no process listeners behind, and 20 trackers add only one of each", async () => {
    const before = { exit: process.listenerCount("exit"), beforeExit: process.listenerCount("beforeExit") };
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on("warning", onWarning);
    const trackers = Array.from(
      { length: 20 },
      () => new TokenTracker({ storage: new ScriptedStorage(), logger: false }),
    );
    expect(process.listenerCount("exit")).toBe(before.exit + 1);
    expect(process.listenerCount("beforeExit")).toBe(before.beforeExit + 1);
    await Promise.all(trackers.map((t) => t.shutdown()));
    expect(process.listenerCount("exit")).toBe(before.exit);
    expect(process.listenerCount("beforeExit")).toBe(before.beforeExit);
    await new Promise((r) => setImmediate(r));
    process.off("warning", onWarning);
    expect(warnings).not.toContain("MaxListenersExceededWarning");
  });

  it("await using flushes on scope exit", async () => {
    const storage = new ScriptedStorage();
    {
      await using tracker = new TokenTracker({ storage, logger: false });
      tracker.record(sample(1));
    }
    expect(storage.rows.size).toBe(1);
    expect(storage.closed).toBe(true);
  });
});

describe("P20: serverless waitUntil", () => {
  it("hands the platform a promise that settles once recorded events are stored", async () => {
    const storage = new ScriptedStorage();
    const pending: Promise<unknown>[] = [];
    const tracker = new TokenTracker({
      storage,
      flushIntervalMs: 60_000,
      logger: false,
      autoFlushOnExit: false,
      waitUntil: (p) => pending.push(p),
    });
    tracker.record(sample(1));
    tracker.record(sample(2));
    expect(pending).toHaveLength(1); // debounced: one sentinel per burst
    expect(storage.rows.size).toBe(0);
    await Promise.all(pending);
    expect(storage.rows.size).toBe(2);
    await tracker.shutdown();
  });
});

describe("P18: shutdown stays bounded when storage misbehaves", () => {
  it("a close() that never settles does not hold shutdown past its deadline", async () => {
    const storage = new ScriptedStorage();
    storage.close = () => new Promise<void>(() => {});
    const tracker = new TokenTracker({ storage, logger: false, autoFlushOnExit: false });
    tracker.record(sample(1));
    await tracker.flush();
    const t0 = performance.now();
    const r = await tracker.shutdown({ timeoutMs: 200 });
    expect(performance.now() - t0).toBeLessThan(450);
    expect(r.timedOut).toBe(true);
    expect(storage.rows.size).toBe(1);
  });

  it("a write that fails after shutdown arms no retry timer, and flush() then answers at once", async () => {
    const storage = new ScriptedStorage(["hang"]);
    const tracker = new TokenTracker({
      storage,
      storageTimeoutMs: 100,
      retry: { baseMs: 10 },
      logger: false,
      autoFlushOnExit: false,
    });
    tracker.record(sample(1));
    await tracker.shutdown({ timeoutMs: 50 }); // the write is still in flight and times out later
    await new Promise((r) => setTimeout(r, 250));
    const callsAfterTimeout = storage.calls.length;
    await new Promise((r) => setTimeout(r, 200));
    expect(storage.calls.length).toBe(callsAfterTimeout); // no retries after shutdown
    const t0 = performance.now();
    const f = await tracker.flush({ timeoutMs: 5000 });
    expect(performance.now() - t0).toBeLessThan(50);
    expect(f.pending).toBe(1);
  });

  it("closes an adapter that was still being opened when shutdown began", async () => {
    const storage = new ScriptedStorage();
    let opened!: () => void;
    const slowOpen = new Promise<void>((r) => (opened = r));
    const tracker = new TokenTracker({
      storage: async () => {
        await slowOpen;
        return storage;
      },
      logger: false,
      autoFlushOnExit: false,
    });
    await new Promise((r) => setImmediate(r)); // the tracker starts opening storage
    const done = tracker.shutdown({ timeoutMs: 1000 });
    opened();
    await done;
    expect(storage.closed).toBe(true);
  });
});
