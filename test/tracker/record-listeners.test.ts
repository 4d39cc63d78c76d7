import { describe, expect, it } from "vitest";
import { TokenTracker, type StoredEvent } from "tokenledger";
import { ScriptedStorage, sample } from "../helpers/scripted-storage.js";
import { memoryLogger } from "./invariant.js";

const quiet = () => ({ logger: memoryLogger().logger, autoFlushOnExit: false as const });

describe("record listeners: told about each event after it is stored", () => {
  it("gets every stored event once, with what it captured at record() time", async () => {
    const storage = new ScriptedStorage();
    const tracker = new TokenTracker({ storage, ...quiet() });
    const seen: StoredEvent<string>[] = [];
    let callSite = "a";
    tracker.addRecordListener<string>({
      capture: () => callSite,
      onStored: (events) => seen.push(...events),
    });
    tracker.record(sample(1));
    callSite = "b";
    tracker.record(sample(2));
    await tracker.flush({ timeoutMs: 2000 });
    expect(seen.map((s) => [s.event.metadata?.tag, s.captured])).toEqual([
      ["e1", "a"],
      ["e2", "b"],
    ]);
    expect(seen.every((s) => storage.rows.has(s.event.id))).toBe(true);
    await tracker.shutdown();
  });

  it("is not told about events until storage accepted them (a failed write is retried, not reported)", async () => {
    const storage = new ScriptedStorage(["transient"]);
    const tracker = new TokenTracker({ storage, ...quiet(), retry: { baseMs: 5, maxMs: 10 } });
    const ids: string[] = [];
    tracker.addRecordListener({ onStored: (events) => ids.push(...events.map((e) => e.event.id)) });
    tracker.record(sample(1));
    await tracker.flush({ timeoutMs: 3000 });
    expect(storage.calls.map((c) => c.step)).toEqual(["transient", "ok"]);
    expect(ids).toEqual([...storage.rows.keys()]);
    await tracker.shutdown();
  });

  it("a listener that throws in capture or onStored never reaches the host, storage or other listeners", async () => {
    const storage = new ScriptedStorage();
    const stages: string[] = [];
    const tracker = new TokenTracker({ storage, ...quiet(), onError: (_e, stage) => stages.push(stage) });
    tracker.addRecordListener({
      capture: () => {
        throw new Error("capture boom");
      },
      onStored: () => {
        throw new Error("stored boom");
      },
    });
    const healthy: number[] = [];
    tracker.addRecordListener({ onStored: (events) => healthy.push(events.length) });
    expect(() => tracker.record(sample(1))).not.toThrow();
    const r = await tracker.flush({ timeoutMs: 2000 });
    expect(r.persisted).toBe(1);
    expect(storage.rows.size).toBe(1);
    expect(healthy).toEqual([1]);
    expect(stages).toEqual(["listener", "listener"]);
    expect(tracker.stats().internalErrors.listener).toBe(2);
    await tracker.shutdown();
  });

  it("the unsubscribe function stops delivery; with no capturing listener nothing is captured", async () => {
    const storage = new ScriptedStorage();
    const tracker = new TokenTracker({ storage, ...quiet() });
    const seen: StoredEvent[] = [];
    const off = tracker.addRecordListener({ onStored: (events) => seen.push(...events) });
    tracker.record(sample(1));
    await tracker.flush({ timeoutMs: 2000 });
    off();
    tracker.record(sample(2));
    await tracker.flush({ timeoutMs: 2000 });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.captured).toBeUndefined();
    expect(storage.rows.size).toBe(2);
    await tracker.shutdown();
  });
});
