import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TokenTracker, type Pricer } from "tokenledger";
import { ScriptedStorage, sample } from "../helpers/scripted-storage.js";
import { expectAccounted, memoryLogger } from "./invariant.js";

describe("P01: tracking never throws into the host", () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  beforeEach(() => {
    unhandled.length = 0;
    process.on("unhandledRejection", onUnhandled);
    process.on("uncaughtException", onUnhandled);
  });
  afterEach(() => {
    process.off("unhandledRejection", onUnhandled);
    process.off("uncaughtException", onUnhandled);
  });

  const faults: [string, Pricer][] = [
    [
      "sync throw",
      {
        price: () => {
          throw new Error("boom");
        },
      },
    ],
    [
      "throws a non-Error",
      {
        price: () => {
          throw "x";
        },
      },
    ],
    ["returns garbage", { price: () => ({ costUsd: "NaN-ish" as string, pricingKey: null }) }],
  ];

  for (const [mode, pricer] of faults) {
    it(`a pricer that ${mode} is contained and counted`, async () => {
      const storage = new ScriptedStorage();
      const log = memoryLogger();
      const errors: string[] = [];
      const tracker = new TokenTracker({
        storage,
        pricer,
        logger: log.logger,
        autoFlushOnExit: false,
        onError: (_e, stage) => errors.push(stage),
      });
      expect(() => tracker.record(sample(1))).not.toThrow();
      const r = await tracker.flush({ timeoutMs: 2000 });
      expect(r.timedOut).toBe(false);
      // The event is kept, unpriced: losing a usage record because pricing failed would be worse.
      const stored = [...storage.rows.values()];
      expect(stored).toHaveLength(1);
      expect(stored[0]?.costUsd).toBeNull();
      expect(stored[0]?.unpriced).toBe(true);
      expect(tracker.stats().internalErrors.pricing).toBe(1);
      expect(errors).toContain("pricing");
      expectAccounted(tracker);
      await tracker.shutdown();
      expect(unhandled).toEqual([]);
    });
  }

  it("hostile inputs (throwing getters, wrong types) never throw from record()", async () => {
    const storage = new ScriptedStorage();
    const tracker = new TokenTracker({ storage, logger: false, autoFlushOnExit: false });
    const hostile = Object.defineProperty({ provider: "openai" }, "usage", {
      get() {
        throw new Error("getter exploded");
      },
      enumerable: true,
    });
    expect(() => tracker.record(hostile as never)).not.toThrow();
    expect(() => tracker.record(null as never)).not.toThrow();
    expect(() =>
      tracker.record({ provider: "openai", usage: { outputTokens: "12" } } as never),
    ).not.toThrow();
    await tracker.flush({ timeoutMs: 2000 });
    const s = tracker.stats();
    // The throwing getter is met where usage is first read: record()'s input check (or the event build).
    expect((s.internalErrors.record ?? 0) + (s.internalErrors.build ?? 0)).toBeGreaterThanOrEqual(1);
    expectAccounted(tracker);
    await tracker.shutdown();
    expect(unhandled).toEqual([]);
  });

  it("a throwing logger and a throwing onError hook are contained", async () => {
    const storage = new ScriptedStorage(["backend", "ok"]);
    const tracker = new TokenTracker({
      storage,
      retry: { baseMs: 5, maxMs: 10 },
      autoFlushOnExit: false,
      logger: {
        warn: () => {
          throw new Error("log");
        },
        error: () => {
          throw new Error("log");
        },
      },
      onError: () => {
        throw new Error("hook");
      },
      pricer: {
        price: () => {
          throw new Error("p");
        },
      },
    });
    tracker.record(sample(1));
    tracker.record(sample(2));
    await tracker.flush({ timeoutMs: 2000 });
    expectAccounted(tracker);
    await tracker.shutdown();
    expect(unhandled).toEqual([]);
  });
});
