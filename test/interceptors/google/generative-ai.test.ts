import { createRequire } from "node:module";
import * as legacy from "@google/generative-ai";
import { withContext } from "tokenledger";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { isWrapped } from "../../../interceptors/_shared/wrap.js";
import type { PatchSet } from "../../../interceptors/_shared/wrap.js";
import { googleGenerativeAiInterceptor } from "../../../interceptors/google-generative-ai/index.js";
import {
  defaultReply,
  MODEL_VERSION,
  startGeminiServer,
  streamChunks,
  textResponse,
  type GeminiServer,
} from "../../helpers/gemini-server.js";
import { CANARY_KEY, deepFreeze, FINAL_BUCKETS, FINAL_COST, FIRST_CHUNK_BUCKETS, harness } from "./setup.js";

const require = createRequire(import.meta.url);
const cjs = require("@google/generative-ai") as typeof legacy;

let server: GeminiServer;
const h = harness();
let esmPatch: PatchSet | undefined;
let cjsPatch: PatchSet | undefined;

function model(name = "gemini-2.5-flash", apiKey = "test-key") {
  return new legacy.GoogleGenerativeAI(apiKey).getGenerativeModel({ model: name }, { baseUrl: server.url });
}

beforeAll(async () => {
  server = await startGeminiServer();
  esmPatch = googleGenerativeAiInterceptor.patchModule(legacy, h.env);
  cjsPatch = googleGenerativeAiInterceptor.patchModule(cjs, h.env);
});
afterAll(async () => {
  esmPatch?.restore();
  cjsPatch?.restore();
  await server.close();
});
afterEach(async () => {
  await new Promise((r) => setTimeout(r, 20));
  await h.events();
  server.reset();
  h.clear();
  h.use(h.tracker);
});

describe("@google/generative-ai generateContent", () => {
  it("records exact buckets, cost, served model and response id", async () => {
    const result = await model().generateContent("Why is the sky blue?");
    expect(result.response.text()).toBe("Hello world");
    const [e, ...rest] = await h.waitFor(1);
    expect(rest).toHaveLength(0);
    expect(e).toMatchObject({
      provider: "gemini",
      model: MODEL_VERSION,
      requestedModel: "gemini-2.5-flash",
      operation: "generate_content",
      streamed: false,
      status: "ok",
      usageSource: "provider",
      costUsd: FINAL_COST,
      timeToFirstTokenMs: null,
    });
    expect(e?.usage).toEqual(FINAL_BUCKETS);
    expect(e?.requestId).toMatch(/^kJ3aaPqZB/);
  });

  it("keeps the SDK's result, never mutates deep-frozen params, and records nothing when tracking is off", async () => {
    const params = deepFreeze({
      contents: [{ role: "user", parts: [{ text: "hi" }] }],
      generationConfig: { temperature: 0 },
    });
    const m = model();
    const result = await m.generateContent(params);
    expect(typeof result.response.text).toBe("function");
    const streamed = await m.generateContentStream(params);
    expect((await streamed.response).text()).toBe("Hello world");
    expect(await h.waitFor(2)).toHaveLength(2);
    h.clear();
    h.use(undefined);
    await m.generateContent("hi");
    const untracked = await m.generateContentStream(params);
    await untracked.response;
    expect(await h.events()).toHaveLength(0);
    // Same object shape as the untracked SDK result: the stream is the SDK's own generator object.
    expect(Object.keys(streamed).sort()).toEqual(Object.keys(untracked).sort());
    expect(Object.keys(streamed.stream).sort()).toEqual(Object.keys(untracked.stream).sort());
    expect(Object.getPrototypeOf(streamed.stream)).toBe(Object.getPrototypeOf(untracked.stream));
  });

  it("records 429 and 500 once each (no SDK retries) and rejects with the SDK's own error", async () => {
    for (const status of [429, 500]) {
      server.handle(() => ({
        type: "error",
        status,
        message:
          status === 429
            ? "Resource has been exhausted (e.g. check quota)."
            : "An internal error has occurred.",
      }));
      const err = await model()
        .generateContent("hi")
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(legacy.GoogleGenerativeAIFetchError);
      expect((err as legacy.GoogleGenerativeAIFetchError).status).toBe(status);
    }
    const events = await h.waitFor(2);
    expect(events.map((e) => [e.status, e.httpStatus, e.errorType])).toEqual([
      ["error", 429, "GoogleGenerativeAIFetchError"],
      ["error", 500, "GoogleGenerativeAIFetchError"],
    ]);
    expect(server.requests).toHaveLength(2);
  });

  it("a malformed usageMetadata never reaches the caller; the event is kept, flagged invalid and unpriced", async () => {
    server.handle(() => ({
      type: "json",
      body: textResponse("ok", { promptTokenCount: "many", candidatesTokenCount: -3 }),
    }));
    const result = await model().generateContent("hi");
    expect(result.response.text()).toBe("ok");
    const [e] = await h.waitFor(1);
    expect(e?.usageSource).toBe("invalid");
    expect(e?.costUsd).toBeNull();
  });
});

describe("@google/generative-ai generateContentStream", () => {
  it("iterating only `stream`: one event with the LAST usage (not summed), the chunk model, and time to first token", async () => {
    const { stream } = await model().generateContentStream("hi");
    let text = "";
    for await (const chunk of stream) text += chunk.text();
    expect(text).toBe("Hello world");
    const events = await h.waitFor(1);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      model: MODEL_VERSION,
      streamed: true,
      status: "ok",
      usageSource: "provider",
      costUsd: FINAL_COST,
    });
    expect(events[0]?.usage).toEqual(FINAL_BUCKETS);
    expect(events[0]?.timeToFirstTokenMs).toBeGreaterThan(0);
  });

  it("awaiting only `response`: one event with the final usage", async () => {
    const { response } = await model().generateContentStream("hi");
    expect((await response).text()).toBe("Hello world");
    const events = await h.waitFor(1);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      status: "ok",
      costUsd: FINAL_COST,
      requestedModel: "gemini-2.5-flash",
    });
    expect(events[0]?.usage).toEqual(FINAL_BUCKETS);
  });

  it("both `stream` and `response`: still exactly one event", async () => {
    const { stream, response } = await model().generateContentStream("hi");
    const chunks: string[] = [];
    for await (const c of stream) chunks.push(c.text());
    expect(chunks).toEqual(["Hel", "lo ", "world"]);
    expect((await response).usageMetadata?.totalTokenCount).toBe(1750);
    await new Promise((r) => setTimeout(r, 30));
    expect(await h.events()).toHaveLength(1);
  });

  it("early break: recorded once as aborted with the full usage (the legacy SDK still reads the whole body)", async () => {
    const { stream, response } = await model().generateContentStream("hi");
    for await (const chunk of stream) {
      expect(chunk.text()).toBe("Hel");
      break;
    }
    expect((await response).text()).toBe("Hello world");
    const events = await h.waitFor(1);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ status: "aborted", usageSource: "provider", costUsd: FINAL_COST });
  });

  it("a 429 rejects at `await generateContentStream()`, not at iteration", async () => {
    server.handle(() => ({
      type: "error",
      status: 429,
      message: "Resource has been exhausted (e.g. check quota).",
    }));
    await expect(model().generateContentStream("hi")).rejects.toBeInstanceOf(
      legacy.GoogleGenerativeAIFetchError,
    );
    const [e] = await h.waitFor(1);
    expect(e).toMatchObject({ status: "error", httpStatus: 429, streamed: true });
  });

  it("a connection reset mid-stream: the caller's loop throws, one error event with the partial usage", async () => {
    const [c1, c2] = streamChunks();
    server.handle(() => ({
      type: "stream",
      steps: [{ kind: "chunk", data: c1 }, { kind: "chunk", data: c2 }, { kind: "reset" }],
    }));
    const { stream, response } = await model().generateContentStream("hi");
    response.catch(() => undefined);
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const c of stream) seen.push(c.text());
      })(),
    ).rejects.toThrow(/Error reading from the stream/);
    expect(seen).toEqual(["Hel", "lo "]);
    const events = await h.waitFor(1);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      status: "error",
      usageSource: "partial",
      errorType: "GoogleGenerativeAIError",
    });
    expect(events[0]?.usage).toEqual({ ...FINAL_BUCKETS, outputTokens: 400 });
  });

  it("an abort through requestOptions.signal: one aborted event with the usage seen so far", async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const [c1] = streamChunks();
    server.handle(() => ({
      type: "stream",
      steps: [
        { kind: "chunk", data: c1 },
        { kind: "wait", until: held },
      ],
    }));
    const controller = new AbortController();
    const { stream, response } = await model().generateContentStream("hi", { signal: controller.signal });
    response.catch(() => undefined);
    const error = await (async () => {
      for await (const c of stream) {
        expect(c.text()).toBe("Hel");
        controller.abort();
      }
    })().catch((e: unknown) => e);
    release();
    expect(error).toBeInstanceOf(legacy.GoogleGenerativeAIError);
    const events = await h.waitFor(1);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ status: "aborted", usageSource: "partial", errorType: "AbortError" });
    expect(events[0]?.usage).toEqual(FIRST_CHUNK_BUCKETS);
  });

  it("garbage chunks never reach the caller's loop as errors", async () => {
    server.handle(() => ({
      type: "stream",
      steps: [
        { kind: "chunk", data: { usageMetadata: 42, candidates: "nope" } },
        { kind: "chunk", data: streamChunks()[2] },
      ],
    }));
    const { stream } = await model().generateContentStream("hi");
    let n = 0;
    for await (const c of stream) {
      void c;
      n++;
    }
    expect(n).toBe(2);
    const [e] = await h.waitFor(1);
    expect(e?.usage).toEqual(FINAL_BUCKETS);
  });
});

describe("@google/generative-ai ChatSession", () => {
  it("sendMessage and sendMessageStream are each recorded once (they bypass the model methods), history intact", async () => {
    const chat = model().startChat();
    expect((await chat.sendMessage("hi")).response.text()).toBe("Hello world");
    const { stream } = await chat.sendMessageStream("again");
    for await (const c of stream) void c;
    expect(await chat.getHistory()).toHaveLength(4);
    const events = await h.waitFor(2);
    await new Promise((r) => setTimeout(r, 30));
    expect(await h.events()).toHaveLength(2);
    expect(events.map((e) => [e.streamed, e.costUsd])).toEqual([
      [false, FINAL_COST],
      [true, FINAL_COST],
    ]);
  });
});

describe("@google/generative-ai embeddings", () => {
  it("embedContent and batchEmbedContents are recorded with usage `missing` (the Gemini API reports none)", async () => {
    const m = model("text-embedding-004");
    expect((await m.embedContent("hello")).embedding.values).toHaveLength(3);
    const batch = await m.batchEmbedContents({
      requests: [
        { content: { role: "user", parts: [{ text: "a" }] } },
        { content: { role: "user", parts: [{ text: "b" }] } },
      ],
    });
    expect(batch.embeddings).toHaveLength(2);
    const events = await h.waitFor(2);
    expect(events.map((e) => [e.operation, e.model, e.usageSource, e.costUsd, e.unpriced])).toEqual([
      ["embeddings", "text-embedding-004", "missing", null, true],
      ["embeddings", "text-embedding-004", "missing", null, true],
    ]);
  });
});

describe("@google/generative-ai attribution, robustness, secrets", () => {
  it("200 interleaved calls under different withContext scopes are each attributed to their own scope", async () => {
    const m = model();
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        withContext({ userId: `u${i}` }, async () => {
          if (i % 2 === 0) {
            await m.generateContent(`q${i}`);
          } else {
            const { stream } = await m.generateContentStream(`q${i}`);
            for await (const c of stream) void c;
          }
        }),
      ),
    );
    const events = await h.waitFor(200);
    expect(events).toHaveLength(200);
    expect(new Set(events.map((e) => e.userId)).size).toBe(200);
    for (const e of events) expect(e.costUsd).toBe(FINAL_COST);
  });

  it("a sink whose record and error reporting both throw does not affect results", async () => {
    h.use({
      record: () => {
        throw new Error("sink down");
      },
      reportInternalError: () => {
        throw new Error("also down");
      },
      reportAnomaly: () => undefined,
    });
    const m = model();
    expect((await m.generateContent("hi")).response.text()).toBe("Hello world");
    const { stream, response } = await m.generateContentStream("hi");
    let text = "";
    for await (const c of stream) text += c.text();
    expect(text).toBe("Hello world");
    expect((await response).text()).toBe("Hello world");
  });

  it("the API key (sent as a header, echoed in an error body) never appears in any stored field", async () => {
    server.handle((req) =>
      req.task === "generateContent"
        ? {
            type: "error",
            status: 400,
            message: `API key not valid: ${String(req.headers["x-goog-api-key"])}`,
          }
        : defaultReply(req),
    );
    const m = model("gemini-2.5-flash", CANARY_KEY);
    const err = await m.generateContent("hi").catch((e: unknown) => e);
    expect(String((err as Error).message)).toContain(CANARY_KEY); // the SDK's own error does carry it
    const { stream } = await m.generateContentStream("hi");
    for await (const c of stream) void c;
    const events = await h.waitFor(2);
    expect(events).toHaveLength(2);
    expect(events[0]?.httpStatus).toBe(400);
    expect(JSON.stringify(events)).not.toContain(CANARY_KEY);
    expect(JSON.stringify(events)).not.toContain("CANARY");
  });
});

describe("@google/generative-ai patching", () => {
  it("the CommonJS and ESM copies are separate classes, each patched once; patching again is a no-op", async () => {
    expect(cjs.GenerativeModel).not.toBe(legacy.GenerativeModel);
    expect(isWrapped(cjs.GenerativeModel.prototype.generateContent)).toBe(true);
    expect(isWrapped(legacy.ChatSession.prototype.sendMessageStream)).toBe(true);
    expect(googleGenerativeAiInterceptor.patchModule(legacy, h.env)?.size).toBe(0);
    expect(googleGenerativeAiInterceptor.patchModule({ default: cjs }, h.env)?.size).toBe(0);
    const m = new cjs.GoogleGenerativeAI("k").getGenerativeModel(
      { model: "gemini-2.5-flash" },
      { baseUrl: server.url },
    );
    await m.generateContent("hi");
    await new Promise((r) => setTimeout(r, 30));
    expect(await h.events()).toHaveLength(1);
  });

  it("unpatch restores the original methods; instrument(genAI) patches them back", async () => {
    esmPatch?.restore();
    expect(isWrapped(legacy.GenerativeModel.prototype.generateContent)).toBe(false);
    expect(isWrapped(legacy.ChatSession.prototype.sendMessage)).toBe(false);
    await model().generateContent("hi");
    await new Promise((r) => setTimeout(r, 30));
    expect(await h.events()).toHaveLength(0);

    esmPatch = googleGenerativeAiInterceptor.instrumentClient?.(new legacy.GoogleGenerativeAI("k"), h.env);
    expect(esmPatch?.size).toBe(6);
    expect(isWrapped(legacy.ChatSession.prototype.sendMessage)).toBe(true);
    await model().startChat().sendMessage("hi");
    expect(await h.waitFor(1)).toHaveLength(1);
    expect(
      googleGenerativeAiInterceptor.instrumentClient?.({ chat: { completions: {} } }, h.env),
    ).toBeUndefined();
  });
});
