import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import * as genai from "@google/genai";
import * as legacy from "@google/generative-ai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { unreadPending } from "../../../interceptors/_shared/unread.js";
import type { PatchSet } from "../../../interceptors/_shared/wrap.js";
import { googleGenAiInterceptor } from "../../../interceptors/google-genai/index.js";
import { googleGenerativeAiInterceptor } from "../../../interceptors/google-generative-ai/index.js";
import { startGeminiServer, streamChunks, type GeminiServer } from "../../helpers/gemini-server.js";
import { FINAL_BUCKETS, FINAL_COST, harness } from "./setup.js";

// Streams the application never iterates are still generated and billed. In-process: a real GC (V8's gc exposed
// through a fresh context) and the `beforeExit` event the process emits, which the shared exit watch listens to.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

let server: GeminiServer;
const h = harness();
const patches: PatchSet[] = [];

beforeAll(async () => {
  server = await startGeminiServer();
  for (const set of [
    googleGenAiInterceptor.patchModule(genai, h.env),
    googleGenerativeAiInterceptor.patchModule(legacy, h.env),
  ])
    if (set) patches.push(set);
});
afterAll(async () => {
  for (const set of patches) set.restore();
  await server.close();
});
afterEach(() => {
  server.reset();
  h.clear();
});

const genaiClient = () => new genai.GoogleGenAI({ apiKey: "test-key", httpOptions: { baseUrl: server.url } });
const legacyModel = () =>
  new legacy.GoogleGenerativeAI("test-key").getGenerativeModel(
    { model: "gemini-2.5-flash" },
    { baseUrl: server.url },
  );

/** One chunk, then the model keeps "generating" until `release()`. */
function holdOpen(): () => void {
  let release = (): void => {};
  const until = new Promise<void>((r) => (release = r));
  server.handle(() => ({
    type: "stream",
    steps: [
      { kind: "chunk", data: streamChunks()[0] },
      { kind: "wait", until },
    ],
  }));
  return release;
}

async function collectUntil(n: number, rounds = 40): Promise<void> {
  for (let i = 0; i < rounds && (await h.events()).length < n; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("@google/genai: a stream never iterated", () => {
  it("released (garbage-collected): one event, usage missing, streamUnread=released", async () => {
    const before = unreadPending();
    await (async () => {
      void (await genaiClient().models.generateContentStream({ model: "gemini-2.5-flash", contents: "hi" }));
    })();
    expect(unreadPending()).toBe(before + 1);
    await collectUntil(1);
    const events = await h.events();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      status: "ok",
      usageSource: "missing",
      streamed: true,
      requestedModel: "gemini-2.5-flash",
      metadata: { streamUnread: "released" },
    });
    expect(unreadPending()).toBe(before);
  });

  it("still held when the process is about to exit: one event, streamUnread=exit", async () => {
    const release = holdOpen();
    const held = await genaiClient().models.generateContentStream({
      model: "gemini-2.5-flash",
      contents: "hi",
    });
    process.emit("beforeExit", 0);
    const events = await h.waitFor(1);
    expect(events[0]).toMatchObject({
      status: "ok",
      usageSource: "missing",
      metadata: { streamUnread: "exit" },
    });
    // Reading it afterwards records nothing more: one event per billed call.
    release();
    for await (const chunk of held) void chunk;
    await new Promise((r) => setTimeout(r, 20));
    expect(await h.events()).toHaveLength(1);
  });
});

describe("@google/genai: automatic function calling (AFC) streams never iterated", () => {
  // A callable tool turns AFC on: the SDK then starts each HTTP request lazily, while the caller iterates.
  const tool: genai.CallableTool = {
    tool: async () => ({ functionDeclarations: [{ name: "get_weather", description: "weather" }] }),
    callTool: async () => [],
  };
  const afcStream = (config: genai.GenerateContentConfig) =>
    genaiClient().models.generateContentStream({
      model: "gemini-2.5-flash",
      contents: "weather?",
      config: { tools: [tool], ...config },
    });

  it("AFC on: no request is sent, so nothing is billed and nothing is recorded (released or at exit)", async () => {
    const before = server.requests.length;
    await (async () => void (await afcStream({})))();
    const held = await afcStream({});
    await collectUntil(1, 3);
    process.emit("beforeExit", 0);
    await new Promise((r) => setTimeout(r, 30));
    expect(server.requests.length).toBe(before);
    expect(await h.events()).toHaveLength(0);
    void held;
  });

  it("maximumRemoteCalls 0 turns AFC off: the request is sent at once and the unread stream recorded once", async () => {
    const release = holdOpen();
    const held = await afcStream({ automaticFunctionCalling: { maximumRemoteCalls: 0 } });
    process.emit("beforeExit", 0);
    const events = await h.waitFor(1);
    expect(server.requests.at(-1)?.task).toBe("streamGenerateContent");
    expect(events[0]).toMatchObject({ usageSource: "missing", metadata: { streamUnread: "exit" } });
    release();
    void held;
  });
});

describe("@google/generative-ai: a stream never iterated", () => {
  it("neither `stream` nor `response` touched: one event with the final usage (the SDK reads the body itself)", async () => {
    await legacyModel().generateContentStream("hi");
    const events = await h.waitFor(1);
    expect(events[0]).toMatchObject({ status: "ok", usageSource: "provider", costUsd: FINAL_COST });
    expect(events[0]?.usage).toEqual(FINAL_BUCKETS);
    await collectUntil(2, 2); // a GC records nothing more
    expect(await h.events()).toHaveLength(1);
  });

  it("the process exits before `response` settles: one event, usage missing, streamUnread=exit", async () => {
    const release = holdOpen();
    const { response } = await legacyModel().generateContentStream("hi");
    process.emit("beforeExit", 0);
    const events = await h.waitFor(1);
    expect(events[0]).toMatchObject({
      status: "ok",
      usageSource: "missing",
      metadata: { streamUnread: "exit" },
    });
    release();
    await response.catch(() => undefined);
    await new Promise((r) => setTimeout(r, 20));
    expect(await h.events()).toHaveLength(1);
  });
});
