import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TokenTracker, type LedgerEvent, type UsageEventInput } from "tokenledger";
import { sqliteStorage } from "tokenledger/sqlite";

/** Record the inputs through a real tracker into a real SQLite file; return the stored events by id. */
async function store(inputs: UsageEventInput[]): Promise<Map<string, LedgerEvent>> {
  const storage = sqliteStorage({ path: join(mkdtempSync(join(tmpdir(), "tl-zero-")), "ledger.db") });
  const tracker = new TokenTracker({ storage, closeStorage: false, logger: false, autoFlushOnExit: false });
  for (const i of inputs) tracker.record(i);
  await tracker.shutdown();
  const out = new Map<string, LedgerEvent>();
  for await (const e of storage.events({})) out.set(e.id, e);
  const totals = (await storage.rollup({})).totals;
  await storage.close();
  out.set("totals", totals as unknown as LedgerEvent);
  return out;
}

const id = (n: number) => `0190a000-0000-7000-8000-00000000000${n}`;
const unknownModel = { provider: "openai", model: "gpt-no-such-model" };

describe("failed calls without usage are not 'unpriced'", () => {
  it("a zero-usage error costs exactly 0 (pricingKey no-usage), even for a model with no price", async () => {
    const rows = await store([
      // The provider answered 404 (a misspelt model) and billed nothing.
      {
        id: id(1),
        ...unknownModel,
        status: "error",
        httpStatus: 404,
        errorType: "NotFoundError",
        usage: null,
      },
      // Unreachable upstream, answered by the proxy with 502: no usage.
      {
        id: id(2),
        ...unknownModel,
        status: "error",
        httpStatus: 502,
        errorType: "UpstreamUnreachable",
        usageSource: "missing",
      },
    ]);
    for (const n of [1, 2]) {
      const e = rows.get(id(n))!;
      expect(e.costUsd).toBe("0");
      expect(e.unpriced).toBe(false);
      expect(e.pricingKey).toBe("no-usage");
    }
    expect(rows.get(id(1))!.usageSource).toBe("provider");
    expect(rows.get(id(2))!.usageSource).toBe("missing"); // still says nobody reported usage
  });

  it("events with tokens keep the rule: an unknown model gives a null cost, flagged unpriced, never 0", async () => {
    const rows = await store([
      { id: id(3), ...unknownModel, status: "error", usage: { uncachedInputTokens: 120, outputTokens: 0 } },
      { id: id(4), ...unknownModel, status: "ok", usage: { uncachedInputTokens: 120, outputTokens: 8 } },
    ]);
    for (const n of [3, 4]) {
      expect(rows.get(id(n))!.costUsd).toBeNull();
      expect(rows.get(id(n))!.unpriced).toBe(true);
    }
  });

  it("a successful call that reported no usage is still unpriced (its cost is unknown, not zero)", async () => {
    const rows = await store([{ id: id(5), ...unknownModel, status: "ok", usageSource: "missing" }]);
    expect(rows.get(id(5))!.costUsd).toBeNull();
    expect(rows.get(id(5))!.unpriced).toBe(true);
  });

  it("a failure with no status (connection reset, stream cut mid-answer) may have been billed: null, unpriced", async () => {
    const rows = await store([
      {
        id: id(8),
        ...unknownModel,
        status: "error",
        errorType: "APIConnectionError",
        usageSource: "missing",
      },
      {
        id: id(9),
        provider: "openai",
        model: "gpt-4o-mini",
        status: "error",
        errorType: "IncompleteStreamError",
        usageSource: "missing",
      },
    ]);
    for (const n of [8, 9]) {
      expect(rows.get(id(n))!.costUsd).toBeNull();
      expect(rows.get(id(n))!.unpriced).toBe(true);
    }
  });

  it("the rollup counts no unpriced events for failed zero-usage calls (so `report` does not nag `prices check`)", async () => {
    const rows = await store([
      { id: id(6), ...unknownModel, status: "error", httpStatus: 429, usage: null },
      { id: id(7), provider: "openai", model: "gpt-4o-mini", status: "error", httpStatus: 500, usage: null },
    ]);
    const totals = rows.get("totals") as unknown as {
      unpricedEvents: number;
      errorEvents: number;
      costUsd: string;
    };
    expect(totals.unpricedEvents).toBe(0);
    expect(totals.errorEvents).toBe(2);
    expect(totals.costUsd).toBe("0");
  });
});
