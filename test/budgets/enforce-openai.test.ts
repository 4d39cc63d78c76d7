import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  BudgetExceededError,
  BudgetGuard,
  parseBudget,
  periodWindow,
  verifySignature,
  webhookChannel,
  type BudgetAlert,
} from "tokenledger";
import { sqliteStorage, type SqliteStorage } from "tokenledger/sqlite";
import { startOpenAIServer, type OpenAIFakeServer } from "../helpers/openai-server.js";
import {
  eventsAfter,
  harness,
  patch,
  require,
  testPricer,
  type Harness,
} from "../interceptors/openai/support.js";
import { startReceiver } from "./receiver.js";

const openai = require("openai");
const { OpenAI } = openai;
const SECRET = "whsec-test";

const dir = mkdtempSync(join(tmpdir(), "tl-budget-openai-"));
let server: OpenAIFakeServer;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let storage: SqliteStorage;
let guard: BudgetGuard;
let h: Harness;
let restore: () => void;
let client: InstanceType<typeof OpenAI>;
let n = 0;

beforeAll(async () => {
  server = await startOpenAIServer();
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  receiver = await startReceiver();
  storage = sqliteStorage({ path: join(dir, `l${n++}.db`) });
  await storage.init();
  guard = new BudgetGuard({
    store: storage.budgets,
    pricer: testPricer,
    channels: [webhookChannel({ url: receiver.url, secret: SECRET })],
  }).install();
  server.requests.length = 0;
  // 10 prompt + 500 output tokens of gpt-4o: $0.000025 + $0.005 = $0.005025 per call.
  server.usage = { prompt: 10, cached: 0, completion: 500, reasoning: 0 };
  h = harness({ baseURLProviders: { "127.0.0.1": "openai" } });
  const set = patch(openai, h);
  restore = () => set.restore();
  client = new OpenAI({ apiKey: "sk-test", baseURL: server.baseURL, maxRetries: 0 });
});
afterEach(async () => {
  await h.flushed();
  await guard.idle();
  restore();
  guard.uninstall();
  await storage.close();
  await receiver.close();
});

const messages = [{ role: "user" as const, content: "Hi" }];
const ask = () => client.chat.completions.create({ model: "gpt-4o", messages, max_tokens: 500 });

describe("block: a budget refuses the call before anything is sent", () => {
  it("two calls fit under $0.012, the third throws BudgetExceededError with no request; the APIPromise stays an APIPromise", async () => {
    await storage.budgets.put(
      parseBudget({ id: "org-day", scope: "org", period: "day", amountUsd: "0.012" }),
    );
    await ask();
    await ask();
    const third = ask();
    expect(third).toBeInstanceOf(openai.APIPromise);
    expect(typeof third.withResponse).toBe("function");
    const err = await third.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BudgetExceededError);
    const e = err as BudgetExceededError;
    expect(e.budgetId).toBe("org-day");
    expect(e.limitUsd).toBe("0.012");
    expect(e.spentUsd).toBe("0.01005");
    expect(server.requests).toHaveLength(2);

    const events = await eventsAfter(h, 3);
    expect(events.map((x) => x.status)).toEqual(["ok", "ok", "error"]);
    expect(events[2]!.errorType).toBe("BudgetExceededError");
    await guard.idle();
    const c = await storage.budgets.counter("org-day", periodWindow(Date.now(), "day", "UTC").key);
    expect(c).toMatchObject({ spentUsd: "0.01005", reservedUsd: "0" });

    // 83.75 % crossed 50 and 75; the blocked call sends the 100 % alert (LiteLLM's silent-block bug).
    const alerts = receiver.received.map((r) => JSON.parse(r.body) as BudgetAlert);
    expect(alerts.map((a) => [a.threshold, a.blocked]).sort()).toEqual([
      [100, true],
      [50, false],
      [75, false],
    ]);
    for (const r of receiver.received) expect(verifySignature(SECRET, r.body, r.signature!)).toBe(true);
    expect(verifySignature("wrong", receiver.received[0]!.body, receiver.received[0]!.signature!)).toBe(
      false,
    );
  });

  it("budgets of other teams do not apply; a streamed call is gated too", async () => {
    await storage.budgets.put(
      parseBudget({ id: "t-b", scope: "team", scopeId: "b", period: "month", amountUsd: "0.000001" }),
    );
    await ask();
    expect(server.requests).toHaveLength(1);
    await storage.budgets.put(
      parseBudget({ id: "org", scope: "org", period: "month", amountUsd: "0.000001" }),
    );
    guard.invalidate();
    const stream = client.chat.completions.create({ model: "gpt-4o", messages, stream: true, max_tokens: 5 });
    await expect(stream).rejects.toBeInstanceOf(BudgetExceededError);
    expect(server.requests).toHaveLength(1);
  });
});

describe("downgrade: the request goes out with the mapped model", () => {
  it("rewrites gpt-4o to gpt-4o-mini once the budget would be exceeded, and records why", async () => {
    await storage.budgets.put(
      parseBudget({
        id: "down",
        scope: "org",
        period: "month",
        amountUsd: "0.001",
        action: "downgrade",
        downgradeMap: { "gpt-4o": "gpt-4o-mini" },
      }),
    );
    const res = await ask();
    expect(res.choices).toBeDefined();
    expect(server.requests[0]!.body.model).toBe("gpt-4o-mini");
    const [event] = await eventsAfter(h, 1);
    expect(event!.requestedModel).toBe("gpt-4o");
    expect(event!.metadata).toMatchObject({
      budget_downgrade: { requested_model: "gpt-4o", effective_model: "gpt-4o-mini", reason: "budget" },
    });
  });
});
