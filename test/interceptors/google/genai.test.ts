import { createRequire } from "node:module";
import * as genai from "@google/genai";
import { withContext } from "tokenledger";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { isWrapped, type PatchSet } from "../../../interceptors/_shared/wrap.js";
import { googleGenAiInterceptor } from "../../../interceptors/google-genai/index.js";
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
const cjs = require("@google/genai") as typeof genai;

let server: GeminiServer;
const h = harness();
let esmPatch: PatchSet | undefined;
let cjsPatch: PatchSet | undefined;

function client(options: Partial<genai.GoogleGenAIOptions> = {}, sdk: typeof genai = genai) {
  return new sdk.GoogleGenAI({ apiKey: "test-key", ...options, httpOptions: { baseUrl: server.url } });
}
const MODEL = "gemini-2.5-flash";

beforeAll(async () => {
  server = await startGeminiServer();
  esmPatch = googleGenAiInterceptor.patchModule(genai, h.env);
  cjsPatch = googleGenAiInterceptor.patchModule(cjs, h.env);
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

describe("@google/genai generateContent", () => {
  it("records exact buckets, cost, served model and response id; returns the SDK's response object", async () => {
    const response = await client().models.generateContent({
      model: MODEL,
      contents: "Why is the sky blue?",
    });
    expect(response).toBeInstanceOf(genai.GenerateContentResponse);
    expect(response.text).toBe("Hello world");
    const events = await h.waitFor(1);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      provider: "gemini",
      model: MODEL_VERSION,
      requestedModel: MODEL,
      operation: "generate_content",
      streamed: false,
      status: "ok",
      costUsd: FINAL_COST,
    });
    expect(events[0]?.usage).toEqual(FINAL_BUCKETS);
    expect(events[0]?.requestId).toMatch(/^kJ3aaPqZB/);
  });

  it("Vertex AI clients are recorded as provider `vertex`, with trafficType as the service tier", async () => {
    server.handle(() => ({
      type: "json",
      body: textResponse("v", {
        promptTokenCount: 10,
        candidatesTokenCount: 5,
        totalTokenCount: 15,
        trafficType: "ON_DEMAND_PRIORITY",
      }),
    }));
    const ai = client({ vertexai: true });
    await ai.models.generateContent({ model: "gemini-2.5-flash", contents: "hi" });
    const [e] = await h.waitFor(1);
    expect(e).toMatchObject({ provider: "vertex", serviceTier: "ON_DEMAND_PRIORITY", costUsd: "0.0000155" });
    expect(server.requests[0]?.path).toContain("publishers/google/models/gemini-2.5-flash:generateContent");
  });

  it("429 and 500 are recorded once each with the SDK's ApiError reaching the caller", async () => {
    for (const status of [429, 500]) {
      server.handle(() => ({ type: "error", status, message: "nope" }));
      const err = await client()
        .models.generateContent({ model: MODEL, contents: "hi" })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(genai.ApiError);
      expect((err as genai.ApiError).status).toBe(status);
    }
    const events = await h.waitFor(2);
    expect(events.map((e) => [e.status, e.httpStatus, e.errorType])).toEqual([
      ["error", 429, "ApiError"],
      ["error", 500, "ApiError"],
    ]);
    expect(server.requests).toHaveLength(2);
  });

  it("params are never mutated (deep-frozen), and nothing is recorded when tracking is off", async () => {
    const params = deepFreeze({
      model: MODEL,
      contents: [{ role: "user", parts: [{ text: "hi" }] }],
      config: { temperature: 0 },
    });
    const ai = client();
    await ai.models.generateContent(params);
    for await (const c of await ai.models.generateContentStream(params)) void c;
    expect(await h.waitFor(2)).toHaveLength(2);
    h.clear();
    h.use(undefined);
    await ai.models.generateContent(params);
    expect(await h.events()).toHaveLength(0);
  });
});

describe("@google/genai generateContentStream", () => {
  it("one event with the LAST usage, time to first token, and the SDK's own generator object", async () => {
    const ai = client();
    const stream = await ai.models.generateContentStream({ model: MODEL, contents: "hi" });
    h.use(undefined);
    const untracked = await ai.models.generateContentStream({ model: MODEL, contents: "hi" });
    h.use(h.tracker);
    expect(Object.getPrototypeOf(stream)).toBe(Object.getPrototypeOf(untracked));
    expect(Object.keys(stream).sort()).toEqual(Object.keys(untracked).sort());
    const texts: (string | undefined)[] = [];
    for await (const chunk of stream) texts.push(chunk.text);
    for await (const c of untracked) void c;
    expect(texts).toEqual(["Hel", "lo ", "world"]);
    const events = await h.waitFor(1);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      streamed: true,
      status: "ok",
      model: MODEL_VERSION,
      costUsd: FINAL_COST,
    });
    expect(events[0]?.usage).toEqual(FINAL_BUCKETS);
    expect(events[0]?.timeToFirstTokenMs).toBeGreaterThan(0);
  });

  it("early break: one aborted event with the usage of the chunks seen", async () => {
    for await (const chunk of await client().models.generateContentStream({ model: MODEL, contents: "hi" })) {
      expect(chunk.text).toBe("Hel");
      break;
    }
    const events = await h.waitFor(1);
    await new Promise((r) => setTimeout(r, 30));
    expect(await h.events()).toHaveLength(1);
    expect(events[0]).toMatchObject({ status: "aborted", usageSource: "partial" });
    expect(events[0]?.usage).toEqual(FIRST_CHUNK_BUCKETS);
  });

  it("a 429 rejects at `await generateContentStream()` and is recorded once", async () => {
    server.handle(() => ({
      type: "error",
      status: 429,
      message: "Resource has been exhausted (e.g. check quota).",
    }));
    await expect(
      client().models.generateContentStream({ model: MODEL, contents: "hi" }),
    ).rejects.toBeInstanceOf(genai.ApiError);
    const [e] = await h.waitFor(1);
    expect(e).toMatchObject({ status: "error", httpStatus: 429, streamed: true });
  });

  it("a connection reset mid-stream: the loop throws, one error event with partial usage", async () => {
    const [c1, c2] = streamChunks();
    server.handle(() => ({
      type: "stream",
      steps: [{ kind: "chunk", data: c1 }, { kind: "chunk", data: c2 }, { kind: "reset" }],
    }));
    const seen: (string | undefined)[] = [];
    const err = await (async () => {
      for await (const c of await client().models.generateContentStream({ model: MODEL, contents: "hi" }))
        seen.push(c.text);
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(seen).toEqual(["Hel", "lo "]);
    const events = await h.waitFor(1);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ status: "error", usageSource: "partial" });
    expect(events[0]?.usage).toEqual({ ...FINAL_BUCKETS, outputTokens: 400 });
  });

  it("an abort through config.abortSignal mid-stream: one aborted event with partial usage", async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    server.handle(() => ({
      type: "stream",
      steps: [
        { kind: "chunk", data: streamChunks()[0] },
        { kind: "wait", until: held },
      ],
    }));
    const controller = new AbortController();
    const err = await (async () => {
      const stream = await client().models.generateContentStream({
        model: MODEL,
        contents: "hi",
        config: { abortSignal: controller.signal },
      });
      for await (const c of stream) {
        void c;
        controller.abort();
      }
    })().catch((e: unknown) => e);
    release();
    expect(err).toBeTruthy();
    const events = await h.waitFor(1);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ status: "aborted", usageSource: "partial" });
    expect(events[0]?.usage).toEqual(FIRST_CHUNK_BUCKETS);
  });

  it("an abort before the response arrives is recorded as aborted, not as an error", async () => {
    server.handle(async () => {
      await new Promise((r) => setTimeout(r, 300));
      return defaultReply({ task: "generateContent" } as never);
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    await expect(
      client().models.generateContent({
        model: MODEL,
        contents: "hi",
        config: { abortSignal: controller.signal },
      }),
    ).rejects.toThrow();
    const [e] = await h.waitFor(1);
    expect(e).toMatchObject({ status: "aborted", usageSource: "missing" });
  });
});

describe("@google/genai chats and embeddings", () => {
  it("chats go through the same models instance: each message recorded once, history intact", async () => {
    const chat = client().chats.create({ model: MODEL });
    expect((await chat.sendMessage({ message: "hi" })).text).toBe("Hello world");
    for await (const c of await chat.sendMessageStream({ message: "again" })) void c;
    // user, model, user, then one model entry per streamed chunk (the SDK's own bookkeeping).
    expect(chat.getHistory().map((c) => c.role)).toEqual([
      "user",
      "model",
      "user",
      "model",
      "model",
      "model",
    ]);
    await h.waitFor(2);
    await new Promise((r) => setTimeout(r, 30));
    const events = await h.events();
    expect(events.map((e) => [e.streamed, e.costUsd])).toEqual([
      [false, FINAL_COST],
      [true, FINAL_COST],
    ]);
  });

  it("embedContent: usage `missing` on the Gemini API, the reported token counts on Vertex AI", async () => {
    const r = await client().models.embedContent({ model: "text-embedding-004", contents: "hello" });
    expect(r.embeddings?.[0]?.values).toHaveLength(3);
    await client({ vertexai: true }).models.embedContent({ model: "text-embedding-005", contents: "hello" });
    const events = await h.waitFor(2);
    expect(
      events.map((e) => [
        e.provider,
        e.operation,
        e.model,
        e.usageSource,
        e.usage.uncachedInputTokens,
        e.costUsd,
      ]),
    ).toEqual([
      ["gemini", "embeddings", "text-embedding-004", "missing", 0, null],
      ["vertex", "embeddings", "text-embedding-005", "provider", 7, null],
    ]);
    expect(events[1]?.metadata).toEqual({ billableCharacterCount: 31 });
  });
});

describe("@google/genai automatic function calling", () => {
  const weatherTool: genai.CallableTool = {
    tool: async () => ({
      functionDeclarations: [
        {
          name: "get_weather",
          description: "weather",
          parameters: { type: genai.Type.OBJECT, properties: {} },
        },
      ],
    }),
    callTool: async (calls) =>
      calls.map((c) => ({ functionResponse: { name: c.name, response: { output: "sunny" } } })),
  };
  // Round 1 asks for the tool (prompt 100, output 20); round 2 answers (prompt 150, output 30).
  function afcServer(stream: boolean) {
    server.handle((req) => {
      const contents = req.body.contents as { parts: Record<string, unknown>[] }[];
      const answered = contents.some((c) => c.parts.some((p) => "functionResponse" in p));
      const body = answered
        ? textResponse("It is sunny", {
            promptTokenCount: 150,
            candidatesTokenCount: 30,
            totalTokenCount: 180,
          })
        : {
            candidates: [
              {
                content: { role: "model", parts: [{ functionCall: { name: "get_weather", args: {} } }] },
                finishReason: "STOP",
              },
            ],
            usageMetadata: { promptTokenCount: 100, candidatesTokenCount: 20, totalTokenCount: 120 },
            modelVersion: MODEL_VERSION,
            responseId: `afc-${server.requests.length}`,
          };
      return stream ? { type: "stream", steps: [{ kind: "chunk", data: body }] } : { type: "json", body };
    });
  }

  it("generateContent: every HTTP request of the AFC loop is its own event (the SDK returns only the last usage)", async () => {
    afcServer(false);
    const response = await withContext({ userId: "afc-user" }, () =>
      client().models.generateContent({
        model: MODEL,
        contents: "weather?",
        config: { tools: [weatherTool] },
      }),
    );
    expect(response.text).toBe("It is sunny");
    expect(response.usageMetadata?.promptTokenCount).toBe(150);
    const events = await h.waitFor(2);
    expect(server.requests).toHaveLength(2);
    expect(
      events.map((e) => [
        e.usage.uncachedInputTokens,
        e.usage.outputTokens,
        e.userId,
        e.metadata?.afcRequest,
      ]),
    ).toEqual([
      [100, 20, "afc-user", 1],
      [150, 30, "afc-user", 2],
    ]);
  });

  it("generateContentStream: each streamed AFC request is recorded, attributed to the scope the call started in", async () => {
    afcServer(true);
    const stream = await withContext({ userId: "afc-stream" }, () =>
      client().models.generateContentStream({
        model: MODEL,
        contents: "weather?",
        config: { tools: [weatherTool] },
      }),
    );
    const texts: string[] = [];
    for await (const c of stream) if (c.text) texts.push(c.text);
    expect(texts).toEqual(["It is sunny"]);
    const events = await h.waitFor(2);
    expect(server.requests).toHaveLength(2);
    // Exactly one event per HTTP request, each at its own usage: 100 × 0.30 + 20 × 2.50; 150 × 0.30 + 30 × 2.50.
    expect(
      events.map((e) => [
        e.streamed,
        e.usage.uncachedInputTokens,
        e.usage.outputTokens,
        e.costUsd,
        e.metadata?.afcRequest,
        e.userId,
      ]),
    ).toEqual([
      [true, 100, 20, "0.00008", 1, "afc-stream"],
      [true, 150, 30, "0.00012", 2, "afc-stream"],
    ]);
    await new Promise((r) => setTimeout(r, 30));
    expect(await h.events()).toHaveLength(2);
  });
  it("generateContentStream: a break during the first round records that round once (aborted, its usage) and sends no second request", async () => {
    afcServer(true);
    const stream = await client().models.generateContentStream({
      model: MODEL,
      contents: "weather?",
      config: { tools: [weatherTool] },
    });
    for await (const chunk of stream) {
      void chunk;
      break;
    }
    const events = await h.waitFor(1);
    await new Promise((r) => setTimeout(r, 30));
    expect(await h.events()).toHaveLength(1);
    expect(server.requests).toHaveLength(1);
    expect(events[0]).toMatchObject({ status: "aborted", costUsd: "0.00008", metadata: { afcRequest: 1 } });
    expect([events[0]!.usage.uncachedInputTokens, events[0]!.usage.outputTokens]).toEqual([100, 20]);
  });
});

describe("@google/genai attribution, robustness, secrets", () => {
  it("200 interleaved calls under different withContext scopes are each attributed to their own scope", async () => {
    const ai = client();
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        withContext({ userId: `u${i}` }, async () => {
          if (i % 2 === 0) await ai.models.generateContent({ model: MODEL, contents: `q${i}` });
          else
            for await (const c of await ai.models.generateContentStream({ model: MODEL, contents: `q${i}` }))
              void c;
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
    const ai = client();
    expect((await ai.models.generateContent({ model: MODEL, contents: "hi" })).text).toBe("Hello world");
    let text = "";
    for await (const c of await ai.models.generateContentStream({ model: MODEL, contents: "hi" }))
      text += c.text ?? "";
    expect(text).toBe("Hello world");
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
    const ai = client({ apiKey: CANARY_KEY });
    const err = await ai.models.generateContent({ model: MODEL, contents: "hi" }).catch((e: unknown) => e);
    expect(String((err as Error).message)).toContain(CANARY_KEY);
    for await (const c of await ai.models.generateContentStream({ model: MODEL, contents: "hi" })) void c;
    const events = await h.waitFor(2);
    expect(events).toHaveLength(2);
    expect(JSON.stringify(events)).not.toContain("CANARY");
  });
});

describe("@google/genai patching", () => {
  it("CommonJS and ESM copies are each hooked once; clients of either record once; patching again is a no-op", async () => {
    expect(cjs.GoogleGenAI).not.toBe(genai.GoogleGenAI);
    expect(googleGenAiInterceptor.patchModule(genai, h.env)?.size).toBe(0);
    expect(googleGenAiInterceptor.patchModule({ default: cjs }, h.env)?.size).toBe(0);
    const a = client({}, cjs);
    const b = client();
    expect(isWrapped(a.models.generateContent)).toBe(true);
    expect(googleGenAiInterceptor.instrumentClient?.(b, h.env)?.size).toBe(0);
    await a.models.generateContent({ model: MODEL, contents: "hi" });
    await b.models.generateContent({ model: MODEL, contents: "hi" });
    await new Promise((r) => setTimeout(r, 30));
    expect(await h.events()).toHaveLength(2);
  });

  it("unpatch restores every patched client and stops hooking new ones; instrument(ai) patches an existing client", async () => {
    const before = client();
    esmPatch?.restore();
    expect(isWrapped(before.models.generateContent)).toBe(false);
    expect(isWrapped(before.models.generateContentStream)).toBe(false);
    expect(Object.prototype.hasOwnProperty.call(before.models, "generateContentInternal")).toBe(false);
    const fresh = client();
    await fresh.models.generateContent({ model: MODEL, contents: "hi" });
    await before.models.generateContent({ model: MODEL, contents: "hi" });
    await new Promise((r) => setTimeout(r, 30));
    expect(await h.events()).toHaveLength(0);

    const set = googleGenAiInterceptor.instrumentClient?.(fresh, h.env);
    expect(set?.size).toBe(5);
    await fresh.chats.create({ model: MODEL }).sendMessage({ message: "hi" });
    expect(await h.waitFor(1)).toHaveLength(1);
    set?.restore();
    esmPatch = googleGenAiInterceptor.patchModule(genai, h.env);
    expect(googleGenAiInterceptor.instrumentClient?.({ getGenerativeModel() {} }, h.env)).toBeUndefined();
  });
});
