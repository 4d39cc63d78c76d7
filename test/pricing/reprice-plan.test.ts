import type { LedgerEvent } from "tokenledger";
import { describe, expect, it } from "vitest";
import { modelPattern, planReprice } from "../../src/pricing/reprice.js";
import { ledgerEvent } from "../cli/seed.js";
import { catalogPricer } from "./price-helpers.js";

async function* stream(events: readonly LedgerEvent[]): AsyncIterable<LedgerEvent> {
  yield* events;
}

const at = "2026-11-01T10:00:00Z";
const events = [
  // Stored before gpt-5-codex had a price: unpriced. Today: the catalog's gpt-5, $1.25 per 1M input.
  ledgerEvent({ at, model: "gpt-5-codex", usage: { uncachedInputTokens: 1_000_000 }, costUsd: null }),
  // A cost the caller provided is kept, whatever the catalog says.
  ledgerEvent({
    at,
    model: "gpt-4o",
    usage: { uncachedInputTokens: 1_000_000 },
    costUsd: "5",
    pricingKey: "provided",
  }),
  // Priced by a user override the current configuration no longer has: repriced only from overrides, so kept.
  ledgerEvent({
    at,
    provider: "acme",
    model: "m",
    usage: { uncachedInputTokens: 1_000_000 },
    costUsd: "1",
    pricingKey: "override:acme/m",
  }),
  // Already right.
  ledgerEvent({
    at,
    model: "gpt-4o",
    usage: { uncachedInputTokens: 1_000_000 },
    costUsd: "2.5",
    pricingKey: "openai/gpt-4o",
  }),
  // No usable counts: nothing to price.
  ledgerEvent({ at, model: "gpt-5-codex", usageSource: "invalid", costUsd: null }),
];

describe("planReprice", () => {
  it("prices what became priceable, keeps provided and override costs, and totals before/after exactly", async () => {
    const plan = await planReprice(stream(events), catalogPricer);
    expect(plan).toMatchObject({
      scanned: 5,
      changed: 1,
      keptProvided: 1,
      newlyPriced: 1,
      beforeUsd: "8.5",
      afterUsd: "9.75",
    });
    expect(plan.models).toEqual([
      {
        provider: "openai",
        model: "gpt-5-codex",
        events: 1,
        beforeUsd: "0",
        afterUsd: "1.25",
        newlyPriced: 1,
      },
    ]);
  });

  it("changes nothing when the stored costs already match the current prices", async () => {
    const repriced = events.map((e) =>
      e.model === "gpt-5-codex" && e.usageSource !== "invalid"
        ? { ...e, costUsd: "1.25", unpriced: false, pricingKey: "openai/gpt-5" }
        : e,
    );
    const plan = await planReprice(stream(repriced), catalogPricer);
    expect(plan.changed).toBe(0);
    expect(plan.beforeUsd).toBe(plan.afterUsd);
  });

  it("filters by a model pattern", async () => {
    const plan = await planReprice(stream(events), catalogPricer, { model: "GPT-5*" });
    expect(plan.scanned).toBe(2);
    expect(modelPattern("gpt-5.1*").test("gpt-5x1")).toBe(false);
  });
});
