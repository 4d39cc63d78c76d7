import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { withContext } from "tokenledger";
import { startOpenAIServer, type OpenAIFakeServer } from "../../helpers/openai-server.js";
import { openaiInterceptor } from "../../../interceptors/openai/index.js";
import { isWrapped, originalOf } from "../../../interceptors/_shared/wrap.js";
import { eventsAfter, harness, patch, require, type Harness } from "./support.js";

const openai = require("openai");
const { OpenAI } = openai;

let server: OpenAIFakeServer;
let h: Harness;
let restore: (() => void) | undefined;

beforeAll(async () => {
  server = await startOpenAIServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  restore?.();
  restore = undefined;
  h = harness({ baseURLProviders: { "127.0.0.1": "openai" } });
});

const messages = [{ role: "user" as const, content: "Hi" }];
const newClient = (OpenAIClass = OpenAI, apiKey = "sk-test") =>
  new OpenAIClass({ apiKey, baseURL: server.baseURL, maxRetries: 0 });

describe("attribution", () => {
  it("200 interleaved calls (streamed and not) under different withContext scopes are each attributed correctly", async () => {
    const set = patch(openai, h);
    restore = () => set.restore();
    const client = newClient();
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        withContext({ userId: `u${i}`, feature: i % 2 ? "odd" : "even" }, async () => {
          await new Promise((r) => setTimeout(r, i % 7));
          if (i % 3 === 0) {
            for await (const _ of await client.chat.completions.create({
              model: `m${i}`,
              messages,
              stream: true,
            }));
          } else {
            await client.chat.completions.create({ model: `m${i}`, messages });
          }
        }),
      ),
    );
    const events = await eventsAfter(h, 200);
    expect(events).toHaveLength(200);
    for (const e of events) {
      const i = Number(e.requestedModel!.slice(1));
      expect(e.userId).toBe(`u${i}`);
      expect(e.feature).toBe(i % 2 ? "odd" : "even");
      expect(e.streamed).toBe(i % 3 === 0);
    }
  });
});

describe("patching", () => {
  it("unpatch restores the original methods; later calls are not recorded", async () => {
    const proto = OpenAI.Chat.Completions.prototype;
    const before = proto.create;
    const set = patch(openai, h);
    expect(isWrapped(proto.create)).toBe(true);
    expect(originalOf(proto.create)).toBe(before);
    set.restore();
    expect(proto.create).toBe(before);
    expect(Object.prototype.hasOwnProperty.call(OpenAI.Responses.prototype, "create")).toBe(true);
    await newClient().chat.completions.create({ model: "gpt-4o", messages });
    expect(await h.flushed()).toHaveLength(0);
  });

  it("CJS and ESM copies are each patched once; patching the same module twice records once", async () => {
    const esm: any = await import("openai");
    expect(esm.OpenAI).not.toBe(OpenAI); // two copies of every class
    const a = patch(openai, h);
    const b = patch(esm, h);
    const again = openaiInterceptor.patchModule(openai, h.env)!;
    const againEsm = openaiInterceptor.patchModule(esm, h.env)!;
    expect(again.size).toBe(0);
    expect(againEsm.size).toBe(0);
    restore = () => (a.restore(), b.restore());
    await newClient().chat.completions.create({ model: "cjs", messages });
    await newClient(esm.default).chat.completions.create({ model: "esm", messages });
    const events = await eventsAfter(h, 2);
    expect(events.map((e) => e.requestedModel).sort()).toEqual(["cjs", "esm"]);
  });

  it("instrumentClient patches one client only, and the class form patches all", async () => {
    const one = newClient();
    const other = newClient();
    const set = openaiInterceptor.instrumentClient!(one, h.env)!;
    expect(set.size).toBe(7); // 4 create methods + responses.retrieve + withOptions + restoring derived clients
    await one.chat.completions.create({ model: "one", messages });
    await other.chat.completions.create({ model: "other", messages });
    expect((await eventsAfter(h, 1)).map((e) => e.requestedModel)).toEqual(["one"]);
    set.restore();
    expect(Object.prototype.hasOwnProperty.call(one.chat.completions, "create")).toBe(false);
    expect(openaiInterceptor.instrumentClient!({ not: "a client" }, h.env)).toBeUndefined();
  });

  it("warns once (never skips silently) when an expected resource is missing", () => {
    const fake = {
      OpenAI: Object.assign(function OpenAI() {}, {
        Chat: Object.assign(function Chat() {}, {
          Completions: class {
            create() {}
          },
        }),
      }),
    };
    const set = openaiInterceptor.patchModule(fake, h.env)!;
    expect(set.size).toBe(1);
    expect(h.warnings.join("\n")).toMatch(/Responses\.create.*not tracked/);
    expect(h.warnings.some((w) => w.includes("Embeddings.create"))).toBe(true);
  });
});

describe("tracking never reaches the caller", () => {
  it("a throwing sink changes neither results nor streams", async () => {
    const set = patch(openai, h);
    restore = () => set.restore();
    const boom = () => {
      throw new Error("tracker exploded");
    };
    h.setSink({ record: boom, reportInternalError: () => {}, reportAnomaly: boom });
    const client = newClient();
    const res = await client.chat.completions.create({ model: "gpt-4o", messages });
    expect(res.choices[0].message.content).toBe("Hello from the fake server.");
    const chunks: any[] = [];
    for await (const c of await client.chat.completions.create({ model: "gpt-4o", messages, stream: true }))
      chunks.push(c);
    expect(chunks.map((c) => c.choices[0].delta.content ?? "").join("")).toBe("Hello from the fake server.");
    await expect(client.chat.completions.create({ model: "rate-limited", messages })).rejects.toBeInstanceOf(
      openai.RateLimitError,
    );
  });

  it("a sink() getter that throws falls back to the untracked call", async () => {
    const set = openaiInterceptor.patchModule(openai, {
      ...h.env,
      sink: () => {
        throw new Error("no");
      },
    })!;
    restore = () => set.restore();
    const res = await newClient().chat.completions.create({ model: "gpt-4o", messages });
    expect(res.id).toBe("chatcmpl-fake123");
  });

  it("malformed usage from the server is kept as an invalid, unpriced event; the caller gets the body unchanged", async () => {
    const set = patch(openai, h);
    restore = () => set.restore();
    const res = await newClient().chat.completions.create({ model: "garbage-usage", messages });
    expect(res.usage).toMatchObject({ prompt_tokens: "lots" });
    const [e] = await eventsAfter(h, 1);
    expect(e).toMatchObject({ usageSource: "invalid", unpriced: true, costUsd: null });
  });

  it("secret canary: the API key in apiKey, headers and an error body never reaches a stored field", async () => {
    const set = patch(openai, h);
    restore = () => set.restore();
    const canary = "sk-proj-CANARYcanary0123456789abcdefXYZ";
    const client = new OpenAI({
      apiKey: canary,
      baseURL: server.baseURL,
      maxRetries: 0,
      defaultHeaders: { "x-secret": canary },
    });
    await expect(client.chat.completions.create({ model: "canary-error", messages })).rejects.toThrow(
      canary.slice(0, 12),
    );
    await client.chat.completions.create({ model: "gpt-4o", messages }, { headers: { "x-other": canary } });
    const events = await eventsAfter(h, 2);
    expect(events).toHaveLength(2);
    expect(events[0]!.errorMessage).toContain("[REDACTED]");
    expect(JSON.stringify(events)).not.toContain("CANARYcanary");
  });
});
