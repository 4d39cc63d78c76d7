import Anthropic from "@anthropic-ai/sdk";
import { Decimal } from "decimal.js";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BudgetExceededError, BudgetRateLimitedError, periodWindow, type Pricer } from "tokenledger";
import {
  BASE_PARAMS,
  createHarness,
  deepFreeze,
  SONNET_MODEL,
  testPricer,
  type Harness,
} from "../interceptors/anthropic/harness.js";
import { gateLedger, removeGateLedgers, TINY, type GateLedger } from "./gate-ledger.js";

const HAIKU = "claude-haiku-4-5";
/** The harness's Sonnet rates, and Haiku at a fifth of them (the downgrade target must have a price). */
const pricer: Pricer = {
  price(req) {
    if (req.model !== HAIKU) return testPricer.price(req);
    const r = testPricer.price({ ...req, model: SONNET_MODEL });
    return { costUsd: r.costUsd && new Decimal(r.costUsd).div(5).toFixed(), pricingKey: `test:${HAIKU}` };
  },
};

let h: Harness;
let ledger: GateLedger;
let client: Anthropic;
beforeAll(async () => {
  h = await createHarness();
  h.patch(await import("@anthropic-ai/sdk"));
});
afterAll(async () => {
  await h.close();
  removeGateLedgers();
});
beforeEach(async () => {
  ledger = await gateLedger(pricer);
  h.server.requests.length = 0;
  client = new Anthropic({ apiKey: "sk-ant-test", baseURL: h.server.url, maxRetries: 0 });
});
afterEach(() => ledger.close());

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e,
  );

describe("@anthropic-ai/sdk behind a block budget", () => {
  it("messages.create rejects with BudgetExceededError before any request; the error event is recorded", async () => {
    await ledger.put({ id: "org", scope: "org", period: "day", amountUsd: TINY });
    const err = await refusal(client.messages.create(BASE_PARAMS));
    expect(err).toBeInstanceOf(BudgetExceededError);
    expect(err).toMatchObject({ budgetId: "org", limitUsd: TINY, status: 429 });
    expect(h.server.requests).toHaveLength(0);
    const events = await h.waitFor(1);
    expect(events.at(-1)).toMatchObject({ status: "error", errorType: "BudgetExceededError" });
  });

  it("stream: true rejects the same way; messages.stream() emits an AnthropicError caused by it; 0 requests", async () => {
    await ledger.put({ id: "org", scope: "org", period: "day", amountUsd: TINY });
    expect(await refusal(client.messages.create({ ...BASE_PARAMS, stream: true }))).toBeInstanceOf(
      BudgetExceededError,
    );
    const err = await refusal(client.messages.stream(BASE_PARAMS).finalMessage());
    expect(err).toBeInstanceOf(Anthropic.AnthropicError);
    expect((err as Error).cause).toBeInstanceOf(BudgetExceededError);
    expect(h.server.requests).toHaveLength(0);
  });

  it("a call that fits is sent and its reservation settles to the actual cost (256 output tokens)", async () => {
    await ledger.put({ id: "org", scope: "org", period: "day", amountUsd: "1" });
    const msg = await client.messages.create(BASE_PARAMS);
    expect(msg.usage.output_tokens).toBe(256);
    expect(h.server.requests).toHaveLength(1);
    await h.waitFor(1);
    await ledger.guard.idle();
    const c = await ledger.storage.budgets.counter("org", periodWindow(Date.now(), "day", "UTC").key);
    // 10 input × $3 + 256 output × $15 per 1M.
    expect(c).toEqual({ budgetId: "org", periodKey: c.periodKey, spentUsd: "0.00387", reservedUsd: "0" });
  });
});

describe("@anthropic-ai/sdk behind a downgrade budget", () => {
  it("sends the mapped model in a copy of the params; the caller's frozen params are untouched", async () => {
    await ledger.put({
      id: "down",
      scope: "org",
      period: "month",
      amountUsd: TINY,
      action: "downgrade",
      downgradeMap: { [SONNET_MODEL]: HAIKU },
    });
    const params = deepFreeze(structuredClone(BASE_PARAMS));
    await client.messages.create(params);
    await client.messages.stream(params).finalMessage();
    expect(h.server.requests.map((r) => (r.body as { model: string }).model)).toEqual([HAIKU, HAIKU]);
    expect(params).toEqual(BASE_PARAMS);
    const events = await h.waitFor(2);
    expect(events.at(-1)!.requestedModel).toBe(SONNET_MODEL);
    expect(events.at(-1)!.metadata).toMatchObject({
      budget_downgrade: { requested_model: SONNET_MODEL, effective_model: HAIKU, reason: "budget" },
    });
  });
});

describe("@anthropic-ai/sdk behind a rate_limit budget", () => {
  it("the third call in a minute of 2 requests is refused before sending; its reservation is released", async () => {
    await ledger.put({
      id: "rpm",
      scope: "org",
      period: "day",
      amountUsd: "1",
      action: "rate_limit",
      rateLimit: { requestsPerMinute: 2 },
    });
    // Not at the edge of a minute, so all three calls fall in the same one.
    const s = new Date().getUTCSeconds();
    if (s > 55) await new Promise((r) => setTimeout(r, (61 - s) * 1000));
    await client.messages.create(BASE_PARAMS);
    await client.messages.create(BASE_PARAMS);
    const err = await refusal(client.messages.create(BASE_PARAMS));
    expect(err).toBeInstanceOf(BudgetRateLimitedError);
    expect(err).toMatchObject({ budgetId: "rpm", status: 429, limit: "2 requests/min" });
    expect(h.server.requests).toHaveLength(2);
    await h.waitFor(3);
    await ledger.guard.idle();
    const c = await ledger.storage.budgets.counter("rpm", periodWindow(Date.now(), "day", "UTC").key);
    expect(c).toMatchObject({ spentUsd: "0.00774", reservedUsd: "0" });
  }, 15_000);
});
