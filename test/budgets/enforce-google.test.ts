import * as genai from "@google/genai";
import * as legacy from "@google/generative-ai";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BudgetExceededError, periodWindow } from "tokenledger";
import type { PatchSet } from "../../interceptors/_shared/wrap.js";
import { googleGenAiInterceptor } from "../../interceptors/google-genai/index.js";
import { googleGenerativeAiInterceptor } from "../../interceptors/google-generative-ai/index.js";
import { startGeminiServer, type GeminiServer } from "../helpers/gemini-server.js";
import { deepFreeze, FINAL_COST, harness, testPricer } from "../interceptors/google/setup.js";
import { gateLedger, removeGateLedgers, TINY, type GateLedger } from "./gate-ledger.js";

const MODEL = "gemini-2.5-flash";
const LITE = "gemini-2.5-flash-lite";
let server: GeminiServer;
const h = harness();
let patches: (PatchSet | undefined)[] = [];
let ledger: GateLedger;

beforeAll(async () => {
  server = await startGeminiServer();
  patches = [
    googleGenAiInterceptor.patchModule(genai, h.env),
    googleGenerativeAiInterceptor.patchModule(legacy, h.env),
  ];
});
afterAll(async () => {
  for (const p of patches) p?.restore();
  await server.close();
  removeGateLedgers();
});
beforeEach(async () => {
  ledger = await gateLedger(testPricer);
  server.reset();
});
afterEach(async () => {
  await h.events();
  h.clear();
  await ledger.close();
});

const genaiClient = () =>
  new genai.GoogleGenAI({ apiKey: "test-key", httpOptions: { baseUrl: server.url } }).models;
const legacyModel = (extra: Partial<legacy.ModelParams> = {}) =>
  new legacy.GoogleGenerativeAI("test-key").getGenerativeModel(
    { model: MODEL, ...extra },
    { baseUrl: server.url },
  );
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e,
  );
const block = () => ledger.put({ id: "org", scope: "org", period: "day", amountUsd: TINY });
const downgrade = () =>
  ledger.put({
    id: "down",
    scope: "org",
    period: "day",
    amountUsd: TINY,
    action: "downgrade",
    downgradeMap: { [MODEL]: LITE },
  });

describe("@google/genai behind budgets", () => {
  it("block: generateContent and generateContentStream reject with BudgetExceededError, 0 requests", async () => {
    await block();
    const models = genaiClient();
    const params = { model: MODEL, contents: "Hi", config: { maxOutputTokens: 100 } };
    expect(await refusal(models.generateContent(params))).toBeInstanceOf(BudgetExceededError);
    expect(await refusal(models.generateContentStream(params))).toBeInstanceOf(BudgetExceededError);
    expect(server.requests).toHaveLength(0);
    const events = await h.waitFor(2);
    expect(events.map((e) => e.errorType)).toEqual(["BudgetExceededError", "BudgetExceededError"]);
  });

  it("embeddings are gated: a block budget refuses embedContent before any request", async () => {
    await block();
    const models = genaiClient();
    // 20 input tokens estimated at $0.30/M pass TINY (an embedding reserves its input only).
    const contents = "Hello there ".repeat(5);
    expect(await refusal(models.embedContent({ model: MODEL, contents }))).toBeInstanceOf(
      BudgetExceededError,
    );
    expect(server.requests).toHaveLength(0);
  });

  it("an embedding that fits is sent; it reserves its input only and settles to its cost", async () => {
    // $0.00001 covers "Hi" at $0.30/M input but not the 4096-token default output cap ($0.01).
    await ledger.put({ id: "org", scope: "org", period: "day", amountUsd: "0.00001" });
    await genaiClient().embedContent({ model: MODEL, contents: "Hi" });
    expect(server.requests).toHaveLength(1);
    await h.waitFor(1);
    await ledger.guard.idle();
    const c = await ledger.storage.budgets.counter("org", periodWindow(Date.now(), "day", "UTC").key);
    expect(c.reservedUsd).toBe("0");
  });

  it("a call that fits is sent and settles to its actual cost", async () => {
    await ledger.put({ id: "org", scope: "org", period: "day", amountUsd: "1" });
    const models = genaiClient();
    await models.generateContent({ model: MODEL, contents: "Hi", config: { maxOutputTokens: 600 } });
    expect(server.requests).toHaveLength(1);
    await h.waitFor(1);
    await ledger.guard.idle();
    const c = await ledger.storage.budgets.counter("org", periodWindow(Date.now(), "day", "UTC").key);
    expect(c).toMatchObject({ spentUsd: FINAL_COST, reservedUsd: "0" });
  });

  it("downgrade: the request goes to the mapped model; the caller's frozen params are untouched", async () => {
    await downgrade();
    const models = genaiClient();
    const params = deepFreeze({ model: MODEL, contents: "Hi", config: { maxOutputTokens: 100 } });
    await models.generateContent(params);
    for await (const chunk of await models.generateContentStream(params)) expect(chunk).toBeDefined();
    expect(server.requests.map((r) => r.model)).toEqual([LITE, LITE]);
    expect(params.model).toBe(MODEL);
    const events = await h.waitFor(2);
    expect(events.map((e) => e.requestedModel)).toEqual([MODEL, MODEL]);
    expect(events[0]!.metadata).toMatchObject({
      budget_downgrade: { requested_model: MODEL, effective_model: LITE, reason: "budget" },
    });
  });
});

describe("@google/generative-ai behind budgets", () => {
  it("block: generateContent, generateContentStream and a chat's sendMessage reject, 0 requests", async () => {
    await block();
    const model = legacyModel();
    expect(await refusal(model.generateContent("Hi"))).toBeInstanceOf(BudgetExceededError);
    expect(await refusal(model.generateContentStream("Hi"))).toBeInstanceOf(BudgetExceededError);
    expect(await refusal(model.startChat().sendMessage("Hi"))).toBeInstanceOf(BudgetExceededError);
    expect(await refusal(model.embedContent("Hi"))).toBeInstanceOf(BudgetExceededError);
    expect(
      await refusal(
        model.batchEmbedContents({ requests: [{ content: { role: "user", parts: [{ text: "Hi" }] } }] }),
      ),
    ).toBeInstanceOf(BudgetExceededError);
    expect(server.requests).toHaveLength(0);
  });

  it("downgrade: model and chat send the mapped model; the model object and the chat's history stay right", async () => {
    await downgrade();
    const model = legacyModel({ generationConfig: { maxOutputTokens: 100 } });
    const request = deepFreeze({ contents: [{ role: "user", parts: [{ text: "Hi" }] }] });
    await model.generateContent(request);
    const chat = model.startChat();
    await chat.sendMessage("one");
    await chat.sendMessage("two");
    expect(server.requests.map((r) => r.model)).toEqual([LITE, LITE, LITE]);
    expect(model.model).toBe(`models/${MODEL}`);
    // The session itself kept its queue and history: the second message carried the first exchange.
    expect((await chat.getHistory()).length).toBe(4);
    expect((server.requests[2]!.body.contents as unknown[]).length).toBe(3);
  });
});
