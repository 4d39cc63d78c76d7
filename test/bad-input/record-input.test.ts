import { describe, expect, it } from "vitest";
import { TokenTracker, type UsageEventInput } from "tokenledger";
import { ScriptedStorage } from "../helpers/scripted-storage.js";
import { memoryLogger } from "../tracker/invariant.js";

function tracker() {
  const storage = new ScriptedStorage();
  const log = memoryLogger();
  const t = new TokenTracker({ storage, logger: log.logger, autoFlushOnExit: false });
  return { t, storage, log };
}

const base = { provider: "openai", model: "gpt-4o-mini" } as const;

describe("record() refuses what it would otherwise store as garbage (and still never throws)", () => {
  it("usage keys it does not know: dropped as invalid_usage, one warning listing the accepted keys", async () => {
    const { t, storage, log } = tracker();
    const bad = [{ inputTokens: 1000, outputTokens: 5 }, { prompt_tokens: 1000 }, { input_tokens: 3 }];
    for (const usage of bad) expect(() => t.record({ ...base, usage } as UsageEventInput)).not.toThrow();
    t.record({ ...base, usage: { uncachedInputTokens: 10, outputTokens: 1 } });
    await t.flush();
    expect(storage.rows.size).toBe(1); // only the good one; never an event with 0 tokens
    expect(t.stats().dropped.invalid_usage).toBe(3);
    expect(log.warns.filter((w) => w.includes("invalid_usage"))).toHaveLength(1);
    expect(log.warns.join("\n")).toMatch(
      /usage key "inputTokens".*Accepted keys: uncachedInputTokens, cacheReadTokens/,
    );
    await t.shutdown();
  });

  it.each([
    ["1"],
    ["hello 2"],
    ["2026-02-30T00:00:00Z"],
    ["2026-02-01T10:00:00"], // no zone
    [1e20],
    [1_700_000_000], // epoch seconds
    [new Date("nope")],
    [Number.NaN],
  ])("timestamp %s: dropped as invalid_timestamp with a warning naming the field", async (timestamp) => {
    const { t, storage, log } = tracker();
    t.record({ ...base, usage: { outputTokens: 1 }, timestamp } as UsageEventInput);
    await t.flush();
    expect(storage.rows.size).toBe(0);
    expect(t.stats().dropped.invalid_timestamp).toBe(1);
    expect(log.warns.join("\n")).toContain("record(): timestamp");
    await t.shutdown();
  });

  it("accepts a Date, epoch milliseconds and an ISO 8601 string with a zone", async () => {
    const { t, storage } = tracker();
    t.record({ ...base, usage: { outputTokens: 1 }, timestamp: new Date("2026-02-01T10:00:00Z") });
    t.record({ ...base, usage: { outputTokens: 1 }, timestamp: Date.UTC(2026, 1, 1, 11) });
    t.record({
      ...base,
      usage: { outputTokens: 1 },
      timestamp: "2026-02-01T13:00:00+01:00",
    } as unknown as UsageEventInput);
    await t.flush();
    const times = [...storage.rows.values()].map((e) => e.timestamp.toISOString()).sort();
    expect(times).toEqual([
      "2026-02-01T10:00:00.000Z",
      "2026-02-01T11:00:00.000Z",
      "2026-02-01T12:00:00.000Z",
    ]);
    expect(t.stats().dropped.invalid_timestamp).toBe(0);
    await t.shutdown();
  });
});
