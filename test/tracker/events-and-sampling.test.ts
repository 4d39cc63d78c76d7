import { describe, expect, it } from "vitest";
import { TokenTracker, withContext, type Pricer } from "tokenledger";
import { ScriptedStorage, sample } from "../helpers/scripted-storage.js";
import { expectAccounted, memoryLogger } from "./invariant.js";

const fixedPricer: Pricer = {
  price: (r) =>
    r.model === "known" ? { costUsd: "0.0165", pricingKey: "known" } : { costUsd: null, pricingKey: null },
};

describe("usage events", () => {
  it("resolves ids (UUIDv7), attribution, defaults and buckets", async () => {
    const storage = new ScriptedStorage();
    const tracker = new TokenTracker({
      storage,
      pricer: fixedPricer,
      app: "billing",
      environment: "prod",
      defaultMetadata: { region: "eu" },
      logger: false,
      autoFlushOnExit: false,
    });
    withContext({ userId: "u1", teamId: "t1", metadata: { route: "/x" } }, () => {
      tracker.record({
        provider: "anthropic",
        model: "known",
        requestedModel: "alias",
        usage: {
          uncachedInputTokens: 1000,
          cacheReadTokens: 5000,
          cacheWrite5mTokens: 2000,
          outputTokens: 300,
        },
      });
    });
    await tracker.flush();
    const [e] = [...storage.rows.values()];
    expect(e?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(e).toMatchObject({
      userId: "u1",
      teamId: "t1",
      app: "billing",
      environment: "prod",
      model: "known",
      requestedModel: "alias",
      costUsd: "0.0165",
      unpriced: false,
      usageSource: "provider",
      sampleWeight: 1,
    });
    expect(e?.metadata).toEqual({ region: "eu", route: "/x" });
    expect(e?.usage.tierBasisTokens).toBe(8000);
    await tracker.shutdown();
  });

  it("an unknown model is stored with cost null, flagged unpriced, and warned about once per model", async () => {
    const storage = new ScriptedStorage();
    const log = memoryLogger();
    const tracker = new TokenTracker({
      storage,
      pricer: fixedPricer,
      logger: log.logger,
      autoFlushOnExit: false,
    });
    for (let i = 0; i < 3; i++)
      tracker.record({ provider: "acme", model: "mystery-1", usage: { outputTokens: 5 } });
    tracker.record({ provider: "acme", model: "mystery-2", usage: { outputTokens: 5 } });
    await tracker.flush();
    const rows = [...storage.rows.values()];
    expect(rows.every((r) => r.costUsd === null && r.unpriced)).toBe(true);
    expect(log.warns.filter((w) => w.includes("mystery-1"))).toHaveLength(1);
    expect(log.warns.filter((w) => w.includes("mystery-2"))).toHaveLength(1);
    await tracker.shutdown();
  });

  it("negative or non-numeric counts are kept as an invalid, unpriced event and counted as an anomaly", async () => {
    const storage = new ScriptedStorage();
    const log = memoryLogger();
    const tracker = new TokenTracker({
      storage,
      pricer: fixedPricer,
      logger: log.logger,
      autoFlushOnExit: false,
    });
    tracker.record({
      provider: "openai",
      model: "known",
      usage: { uncachedInputTokens: -5, outputTokens: "12" },
    });
    tracker.record({ provider: "openai", model: "known", usage: { outputTokens: 1 } });
    await tracker.flush();
    const rows = [...storage.rows.values()];
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ usageSource: "invalid", costUsd: null, unpriced: true });
    expect(rows[0]?.usage.uncachedInputTokens).toBe(0);
    expect(rows[1]?.costUsd).toBe("0.0165");
    expect(tracker.stats().anomalies).toBe(1);
    expect(
      log.warns.some((w) => w.includes("uncachedInputTokens=-5") && w.includes('outputTokens="12"')),
    ).toBe(true);
    await tracker.shutdown();
  });

  it("redacts secrets from stored error messages", async () => {
    const storage = new ScriptedStorage();
    const tracker = new TokenTracker({ storage, pricer: fixedPricer, logger: false, autoFlushOnExit: false });
    const secret = "sk-proj-CANARY1234567890abcdefXYZ";
    tracker.record({
      provider: "openai",
      model: "known",
      status: "error",
      httpStatus: 401,
      errorMessage: `Incorrect API key provided: ${secret}. Authorization: Bearer ${secret}`,
    });
    await tracker.flush();
    const stored = JSON.stringify([...storage.rows.values()]);
    expect(stored).not.toContain("CANARY1234567890");
    expect(stored).toContain("[REDACTED]");
    await tracker.shutdown();
  });

  it("sampleRate keeps a weight so rollups stay unbiased", async () => {
    const storage = new ScriptedStorage();
    const tracker = new TokenTracker({
      storage,
      pricer: fixedPricer,
      sampleRate: 0.25,
      maxQueueSize: 10_000,
      logger: false,
      autoFlushOnExit: false,
    });
    for (let i = 0; i < 4000; i++) tracker.record(sample(i));
    await tracker.flush();
    const rows = [...storage.rows.values()];
    expect(rows.every((r) => r.sampleWeight === 4)).toBe(true);
    const estimated = rows.length * 4;
    expect(estimated).toBeGreaterThan(3400);
    expect(estimated).toBeLessThan(4600);
    expect(tracker.stats().sampledOut + tracker.stats().recorded).toBe(4000);
    expectAccounted(tracker);
    await tracker.shutdown();
  });
});

describe("options are validated at construction", () => {
  const bad: [unknown, RegExp][] = [
    [{ maxQueueSize: 0 }, /"maxQueueSize" must be at least 1/],
    [{ flushIntervall: 1000 }, /unknown option "flushIntervall"/],
    [{ sampleRate: 1.5 }, /"sampleRate" must be at most 1/],
    [
      { storage: "mysql://u:hunter2@db/x" },
      /unsupported database scheme "mysql:".*\[REDACTED\]|unsupported database scheme "mysql:"/,
    ],
    [{ storage: "postgres://" }, /not a valid PostgreSQL URL/],
    [{ retry: { jitter: 3 } }, /"retry.jitter" must be between 0 and 1/],
  ];
  for (const [options, message] of bad) {
    it(`rejects ${JSON.stringify(options)}`, () => {
      expect(() => new TokenTracker(options as never)).toThrow(message);
    });
  }
  it("never echoes a database password in the error", () => {
    expect(() => new TokenTracker({ storage: "mysql://user:hunter2@db/x" })).toThrow(/^(?!.*hunter2)/s);
  });
});

describe("metadata and attribution hygiene", () => {
  it("redacts secrets inside metadata values and stores an empty attribution value as missing", async () => {
    const storage = new ScriptedStorage();
    const tracker = new TokenTracker({ storage, pricer: fixedPricer, logger: false, autoFlushOnExit: false });
    withContext(
      {
        userId: "",
        teamId: "eng",
        metadata: {
          auth: "Bearer sk-proj-METACANARY0123456789abcdef",
          nested: { token: "ghp_METACANARY0123456789abcdefABCDEF" },
          note: "fine",
        },
      },
      () => {
        tracker.record({ provider: "openai", model: "known", usage: { outputTokens: 1 } });
      },
    );
    await tracker.flush();
    const [e] = [...storage.rows.values()];
    expect(JSON.stringify(e?.metadata)).not.toContain("METACANARY");
    expect(e?.metadata?.note).toBe("fine");
    expect(e?.userId).toBeNull();
    expect(e?.teamId).toBe("eng");
    await tracker.shutdown();
  });
});
